# SPDX-License-Identifier: GPL-3.0-or-later
"""xenmm-experiment: run memory-balancing experiments (simulator, real hosts
over ssh), then report them as one self-contained HTML page."""

__version__ = "0.1.0"

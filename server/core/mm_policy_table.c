/* Every policy mmserver knows, in the order `--policy help` lists them.
 * Adding a policy: one file policy_NAME.c defining its row, one line here. */
#include "mm_policy.h"

extern const struct mm_policy_type mm_policy_tax, mm_policy_equal, mm_policy_none;
extern const struct mm_policy_type mm_policy_ebb, mm_policy_qmemman, mm_policy_squeezed,
    mm_policy_selfballoon, mm_policy_hyperv, mm_policy_proxmox;

const struct mm_policy_type *const mm_policy_types[] = {
    &mm_policy_ebb,         &mm_policy_tax,
    &mm_policy_equal,       &mm_policy_none,
    &mm_policy_qmemman,     &mm_policy_squeezed,
    &mm_policy_selfballoon, &mm_policy_hyperv,
    &mm_policy_proxmox,     NULL,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * A DKMS sample module (tests/pkg/dkms-module.sh): dkms builds it for the
 * flavour from the installed headers package, then the test loads it. Its
 * parameter and its log line show that it runs in the kernel it was built
 * for.
 */
#include <linux/module.h>
#include <linux/utsname.h>

static int token = 42;
module_param(token, int, 0444);
MODULE_PARM_DESC(token, "a value the test reads back from sysfs");

static int __init sample_init(void)
{
	pr_info("aioring_dkms_sample: loaded into %s, token %d\n",
		init_utsname()->release, token);
	return 0;
}

static void __exit sample_exit(void)
{
	pr_info("aioring_dkms_sample: unloaded\n");
}

module_init(sample_init);
module_exit(sample_exit);
MODULE_DESCRIPTION("linux-aioring dkms test module");
MODULE_LICENSE("GPL");

#include <asm/errno.h>
#include "../phyr_compat.h"

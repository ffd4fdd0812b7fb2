#include "../phyr_compat.h"

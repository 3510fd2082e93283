#include "octopus-sigv4.h"

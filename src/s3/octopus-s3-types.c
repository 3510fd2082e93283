#include "octopus-s3-types.h"

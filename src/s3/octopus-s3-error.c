#include "octopus-s3-error.h"

#include "octopus-s3-client.h"

#include "octopus-s3-xml.h"

/* Placeholder translation unit until the engine has sources. */
#include <glib.h>
void octopus_engine_placeholder (void);
void octopus_engine_placeholder (void) {}

#include <clid/clid_version.h>

const char *clid_version(void)
{
    return CLID_VERSION_STRING;
}

"""Named exit codes, so CI can tell a failed check from a usage error."""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    CHECKS_FAILED = 1  #: the command ran and something it checks is wrong
    USAGE = 2  #: bad arguments or input
    SERVICE = 3  #: a broker, database or worker could not be started or reached
    INTERRUPTED = 130

# Records every signal that reaches it, one number a line, and exits 0 once
# it has seen each number given as an argument. It blocks them and takes
# them with sigwaitinfo, so none is lost between two waits and no handler
# of a language runtime adds signals of its own (a Go child would see its
# own SIGURG). Numbers 32 and 33 are glibc's and cannot be waited for.
import os
import signal
import sys

want = {int(a) for a in sys.argv[1:]}
every = set(range(1, 65)) - {signal.SIGKILL, signal.SIGSTOP, 32, 33}
signal.pthread_sigmask(signal.SIG_BLOCK, every)
os.write(1, b"ready\n")
seen = set()
while not want <= seen:
    info = signal.sigwaitinfo(every)
    seen.add(info.si_signo)
    os.write(1, b"%d\n" % info.si_signo)

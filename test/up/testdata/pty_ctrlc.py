# Runs a shell command line on a new pseudo-terminal, as a user's terminal
# would: the command is the session's foreground job. Once the output shows
# the line given as the first argument, it types Ctrl-C (the terminal sends
# SIGINT to the foreground process group), reads everything up to EOF and
# exits with the command line's exit code. The output is copied to stdout.
import os
import pty
import sys
import time

wait_for, cmdline = sys.argv[1].encode(), sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("bash", ["bash", "-c", cmdline])

out = b""
sent = False
deadline = time.time() + 90
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:  # EIO: every holder of the terminal is gone
        break
    if not chunk:
        break
    out += chunk
    sys.stdout.buffer.write(chunk)
    sys.stdout.flush()
    if not sent and wait_for in out:
        os.write(fd, b"\x03")
        sent = True
    if time.time() > deadline:
        break
_, status = os.waitpid(pid, 0)
if not sent:
    sys.stderr.write("pty_ctrlc: never saw %r\n" % wait_for.decode())
    sys.exit(99)
sys.exit(os.waitstatus_to_exitcode(status))

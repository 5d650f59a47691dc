#!/bin/sh
# orphans.sh N: start N background subshells that block reading fd 3, print
# their pids, and exit. The subshells become orphans of the nearest reaper
# (kinit) and all exit at once when the last writer of the fd 3 pipe closes it.
n=$1
i=0
while [ "$i" -lt "$n" ]; do
	(exec >/dev/null; read -r line <&3) &
	echo "$!"
	i=$((i + 1))
done

"""How much CPU other processes use while a benchmark runs (this machine is shared)."""
import os
import time


def wait_quiet(threshold, limit_seconds):
    """Waits (up to limit_seconds) until other processes use at most `threshold` cores over 2 s."""
    deadline = time.time() + limit_seconds
    while time.time() < deadline:
        load = ForeignLoad()
        load.start()
        time.sleep(2)
        if load.stop() <= threshold:
            return True
    return False


class ForeignLoad:
    """CPU used by other processes (in cores, averaged) between start() and stop(): busy time
    from /proc/stat (user, nice, system, irq, softirq, steal) minus this process and its
    children (os.times)."""

    HZ = os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _busy():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
        return (user + nice + system + irq + softirq + steal) / ForeignLoad.HZ

    @staticmethod
    def _own():
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def start(self):
        self.wall, self.busy, self.own = time.perf_counter(), self._busy(), self._own()

    def stop(self):
        wall = time.perf_counter() - self.wall
        foreign = (self._busy() - self.busy) - (self._own() - self.own)
        return max(0.0, foreign / wall) if wall > 0 else 0.0

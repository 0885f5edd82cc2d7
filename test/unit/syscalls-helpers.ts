/**
 * CPU time of a call in milliseconds. Speed limits in these tests are about the work an
 * input costs, so they are measured in CPU time: wall time on a loaded CI machine (other
 * test workers share the cores) would make them flaky.
 */
export function cpuMillis(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

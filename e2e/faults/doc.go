// Package faults holds the whole-application suites that break things on purpose or run long:
// fault injection during order load (database connections killed, Redis stopped), the Redis
// task queue with a worker killed mid-task, and the soak test (SOAK=1). They serve the app on
// real loopback listeners and run workers in process or as child processes of the test binary.
package faults

package apptest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

var built struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// Binary builds tienda (the module's main package) once per test binary and returns the path of
// the executable, so that system tests run the real program as separate processes. The file is
// removed when the tests exit only if the caller removes BinaryDir; it lives under the OS temp
// directory.
func Binary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		out, err := exec.CommandContext(context.Background(), "go", "env", "GOMOD").Output()
		if err != nil {
			built.err = err
			return
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		built.dir, built.err = os.MkdirTemp("", "tienda-bin-")
		if built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "tienda")
		cmd := exec.CommandContext(context.Background(), "go", "build", "-o", built.path, ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("build tienda: %v\n%s", built.err, built.out)
	}
	return built.path
}

// RemoveBinary deletes what Binary built; call it from TestMain after the tests.
func RemoveBinary() {
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
}

// Process is a tienda process a test started.
type Process struct {
	Name string
	Cmd  *exec.Cmd
	Out  *SyncBuffer
}

// StartProcess runs bin with args in dir, with env added to this process's environment; its
// output is kept (and shown if the test fails), and it is killed when the test ends.
func StartProcess(t testing.TB, name, bin, dir string, env []string, args ...string) *Process {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out := &SyncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &Process{Name: name, Cmd: cmd, Out: out}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("%s (pid %d) output:\n%s", name, cmd.Process.Pid, out.String())
		}
	})
	return p
}

// Kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *Process) Kill(t testing.TB) {
	t.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill %s: %v", p.Name, err)
	}
	_ = p.Cmd.Wait()
}

// Exited reports whether the process has ended (after Kill or Wait).
func (p *Process) Exited() bool { return p.Cmd.ProcessState != nil }

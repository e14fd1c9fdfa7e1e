package tasks

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	mlog "github.com/RichardKnop/machinery/v2/log"
)

// RouteMachineryLogs sends machinery's own log lines to log: debug and info at debug level (they
// are chatty: a line per task), warnings and errors at their level. Machinery keeps its loggers in
// package variables, so this affects the whole process: call it once, at start-up.
func RouteMachineryLogs(log *slog.Logger) {
	mlog.SetDebug(machineryLogger{log, slog.LevelDebug})
	mlog.SetInfo(machineryLogger{log, slog.LevelDebug})
	mlog.SetWarning(machineryLogger{log, slog.LevelWarn})
	mlog.SetError(machineryLogger{log, slog.LevelError})
	mlog.SetFatal(machineryLogger{log, slog.LevelError})
}

// machineryLogger adapts slog to machinery's Print/Printf/Println logger interface.
type machineryLogger struct {
	log   *slog.Logger
	level slog.Level
}

func (l machineryLogger) write(s string) {
	l.log.Log(context.Background(), l.level, strings.TrimSpace(s), "component", "machinery")
}

func (l machineryLogger) Print(v ...any)                 { l.write(fmt.Sprint(v...)) }
func (l machineryLogger) Printf(format string, v ...any) { l.write(fmt.Sprintf(format, v...)) }
func (l machineryLogger) Println(v ...any)               { l.write(fmt.Sprintln(v...)) }
func (l machineryLogger) Fatal(v ...any)                 { l.write(fmt.Sprint(v...)) }
func (l machineryLogger) Fatalf(format string, v ...any) { l.write(fmt.Sprintf(format, v...)) }
func (l machineryLogger) Fatalln(v ...any)               { l.write(fmt.Sprintln(v...)) }
func (l machineryLogger) Panic(v ...any)                 { l.write(fmt.Sprint(v...)) }
func (l machineryLogger) Panicf(format string, v ...any) { l.write(fmt.Sprintf(format, v...)) }
func (l machineryLogger) Panicln(v ...any)               { l.write(fmt.Sprintln(v...)) }

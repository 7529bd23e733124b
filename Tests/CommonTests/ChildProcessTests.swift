import Common
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Child processes")
struct ChildProcessTests {
    @Test("output, errors, exit status, folder and environment reach the caller")
    func runCapturesEverything() throws {
        let folder = TemporaryDirectory("child-run")
        let run = try ChildProcess.run(
            "/bin/sh", ["-c", "pwd; echo \"$GREETING\" >&2; exit 3"], in: folder.path,
            environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"])
        #expect(run.ending == .exited(3))
        #expect(run.status == 3)
        let realFolder = try #require(realpath(folder.path, nil))
        defer { free(realFolder) }
        #expect(String(decoding: run.output, as: UTF8.self) == String(cString: realFolder) + "\n")
        #expect(String(decoding: run.errors, as: UTF8.self) == "hello\n")
    }

    @Test("a child killed by a signal reports the signal; one past its time limit is killed with its group")
    func signalsAndTimeLimits() throws {
        let killed = try ChildProcess.run("/bin/sh", ["-c", "kill -SEGV $$"])
        #expect(killed.ending == .signaled(SIGSEGV))

        let folder = TemporaryDirectory("child-group")
        let mark = folder.file("grandchild")
        let start = Date()
        var seen: [pid_t?] = []
        let slow = try ChildProcess.run(
            "/bin/sh", ["-c", "sleep 30 & echo $! > '\(mark)'; wait"], timeLimit: 0.5, ownProcessGroup: true,
            started: { seen.append($0) })
        #expect(slow.ending == nil)
        #expect(slow.status == SIGKILL)
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(seen.count == 2 && seen[0] != nil && seen[1] == nil)
        // The grandchild (sleep) was in the group and is gone too (or a zombie of init's).
        let grandchild = try #require(
            Int32(String(contentsOfFile: mark, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        usleep(100_000)
        let state = (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8)) ?? ""
        #expect(state.isEmpty || state.contains(") Z "), "sleep still runs: \(state)")
    }

    @Test("signals this process ignores are at their default in the child")
    func signalDispositionsAreReset() throws {
        let previous = signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, previous) }
        let child = try ChildProcess("/bin/sleep", ["30"], ownProcessGroup: true)
        child.send(SIGINT)
        let ending = child.wait(until: Date().addingTimeInterval(5))
        if ending == nil {
            child.send(SIGKILL)
            _ = child.wait()
        }
        #expect(ending == .signaled(SIGINT))
    }

    @Test("a missing program or folder is an error that says which")
    func startFailures() {
        #expect {
            try ChildProcess.run("/nonexistent/program", [])
        } throws: { error in
            "\(error)" == "cannot start /nonexistent/program: No such file or directory"
        }
        #expect {
            try ChildProcess.run("/bin/sh", ["-c", "true"], in: "/nonexistent/folder")
        } throws: { error in
            "\(error)" == "cannot start /bin/sh: no folder /nonexistent/folder to run it in"
        }
    }

    @Test("errors can follow the output into one file, in the order they were written")
    func errorsInterleaveWithOutput() throws {
        let folder = TemporaryDirectory("child-merge")
        let log = folder.file("log")
        let child = try ChildProcess(
            "/bin/sh", ["-c", "echo one; echo two >&2; echo three"], output: .file(log), errors: .output)
        #expect(child.wait() == .exited(0))
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "one\ntwo\nthree\n")
    }
}

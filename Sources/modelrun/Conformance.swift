import ArgumentParser
import CLISupport
import Foundation
import ModelRuntime

/// `modelrun conformance DIR [--json] [--op OP] [--known-gaps FILE] [--jobs N] [--timeout S] [--in-process]`.
///
/// Runs the ONNX backend node tests written by `scripts/conformance/export_cases.py`. Each case
/// runs in a child process (this executable, with the hidden `--child` flag), so a trap or hang
/// in a kernel becomes a failed row instead of ending the run.
struct Conformance: ParsableCommand, JSONReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run ONNX backend node tests: a per-op table of passed, failed, not supported and known gaps.",
        discussion: """
            DIR holds case folders (<case>/model.onnx, <case>/test_data_set_*/input_*.pb and output_*.pb), \
            as written by scripts/conformance/export_cases.py, or is one case folder. \
            Exit status 0 when no case failed outside the known-gaps list, 1 otherwise.
            """)

    @Argument(help: "A folder of case folders, or one case folder.")
    var directory: String

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    @Option(help: "Only cases of this op (as in the table's op column).")
    var op: String?

    @Option(
        help: "The known-gaps list (`case_name  reason` per line); default conformance/known-gaps.txt when present.")
    var knownGaps: String?

    @Option(help: "Cases run at once, each in its own process.")
    var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    @Option(help: "Seconds before a case's process is stopped and the case failed.")
    var timeout: Double = 120

    @Flag(help: "Run every case in this process (faster; a trapping kernel ends the run).")
    var inProcess = false

    @Flag(help: "Feed shape, axes and split inputs as graph inputs, as the tests do (the runtime then refuses them).")
    var noFreezeShapeInputs = false

    @Flag(help: .hidden)
    var child = false

    @Option(help: .hidden)
    var rtol: Double = ConformanceCase.defaultRTol

    @Option(help: .hidden)
    var atol: Double = ConformanceCase.defaultATol

    static let defaultKnownGaps = "conformance/known-gaps.txt"

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() throws {
        if child {
            runChild()
            return
        }
        let cases: [ConformanceCase]
        let gaps: KnownGaps
        do {
            cases = try ConformanceSuite.discover(URL(fileURLWithPath: directory))
                .filter { op == nil || $0.op == op || $0.op.split(separator: "+").contains { $0 == op ?? "" } }
            gaps = try loadKnownGaps()
        } catch {
            Output.failure("conformance.suite", error.description)
            throw InvalidInput()
        }
        if cases.isEmpty {
            Output.failure("conformance.suite", "no cases\(op.map { " of op \($0)" } ?? "") in \(directory)")
            throw InvalidInput()
        }
        let outcomes =
            inProcess
            ? cases.map { ConformanceRunner.run($0, freezeShapeInputs: !noFreezeShapeInputs) } : runIsolated(cases)
        let results = zip(cases, outcomes).map {
            ConformanceResult(case: $0, outcome: $1, knownGapReason: gaps[$0.name])
        }
        let names = Set(cases.map(\.name))
        // Entries naming no case are worth a note only when the whole suite ran.
        let wholeSuite = op == nil && !ConformanceSuite.isCaseFolder(URL(fileURLWithPath: directory))
        let unmatched = wholeSuite ? gaps.reasons.keys.filter { !names.contains($0) } : []
        let report = ConformanceReport(results: results, unmatchedKnownGaps: unmatched)
        if json {
            Output.json(report)
        } else {
            print(report.markdown())
        }
        if !report.succeeded { throw InvalidInput() }
    }

    private func loadKnownGaps() throws(ConformanceSuiteError) -> KnownGaps {
        if let knownGaps { return try KnownGaps(contentsOf: URL(fileURLWithPath: knownGaps)) }
        let url = URL(fileURLWithPath: Conformance.defaultKnownGaps)
        guard FileManager.default.fileExists(atPath: url.path) else { return KnownGaps() }
        let gaps = try KnownGaps(contentsOf: url)
        Output.error("known gaps: \(url.path) (\(gaps.reasons.count) entries)")
        return gaps
    }

    /// Child mode: run the one case in DIR and print its outcome as one JSON line.
    private func runChild() {
        let folder = URL(fileURLWithPath: directory)
        let testCase = ConformanceCase(
            name: folder.lastPathComponent, directory: folder, op: "", rtol: rtol, atol: atol)
        Output.jsonLine(ConformanceRunner.run(testCase, freezeShapeInputs: !noFreezeShapeInputs))
    }

    /// Outcomes of `cases` in order, each from a child process; `jobs` children at once.
    ///
    /// Workers are plain threads rather than dispatch queues: each blocks on its child, and
    /// libdispatch's global pool on Linux is only as wide as the machine.
    private func runIsolated(_ cases: [ConformanceCase]) -> [ConformanceOutcome] {
        let collector = OutcomeCollector(count: cases.count)
        let executable = CaseProcess.executable
        let timeout = self.timeout
        let extra = noFreezeShapeInputs ? ["--no-freeze-shape-inputs"] : []
        let workers = min(jobs, cases.count)
        let finished = DispatchSemaphore(value: 0)
        for _ in 0..<workers {
            let thread = Thread {
                while let index = collector.next() {
                    collector.set(
                        index,
                        CaseProcess.run(cases[index], executable: executable, extraArguments: extra, timeout: timeout))
                }
                finished.signal()
            }
            thread.start()
        }
        for _ in 0..<workers { finished.wait() }
        return collector.outcomes
    }
}

/// Hands out case indices to workers and gathers their outcomes.
private final class OutcomeCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private var stored: [ConformanceOutcome?]

    init(count: Int) { stored = Array(repeating: nil, count: count) }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < stored.count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }

    func set(_ index: Int, _ outcome: ConformanceOutcome) {
        lock.lock()
        stored[index] = outcome
        lock.unlock()
    }

    var outcomes: [ConformanceOutcome] {
        lock.lock()
        defer { lock.unlock() }
        return stored.map { $0 ?? .failed("the case did not run") }
    }
}

/// One case in a child process of this executable, started with `posix_spawn` and polled
/// with `waitpid`, so a trap or a hang is seen and the child is always reaped.
private enum CaseProcess {
    /// This executable (Linux: /proc/self/exe, else the bundle's).
    static let executable: URL = {
        let proc = URL(fileURLWithPath: "/proc/self/exe")
        if FileManager.default.fileExists(atPath: proc.path) { return proc.resolvingSymlinksInPath() }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }()

    static func run(
        _ testCase: ConformanceCase, executable: URL, extraArguments: [String], timeout: Double
    ) -> ConformanceOutcome {
        let arguments =
            [
                executable.path, "conformance", testCase.directory.path, "--child",
                "--rtol", "\(testCase.rtol)", "--atol", "\(testCase.atol)",
            ] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // a trap's message is enough; backtraces take seconds
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "modelrun-conformance-\(UUID().uuidString)")
        let stdoutPath = base.path + ".out"
        let stderrPath = base.path + ".err"
        defer {
            unlink(stdoutPath)
            unlink(stderrPath)
        }

        let pid: pid_t
        switch spawn(arguments, environment: environment, stdout: stdoutPath, stderr: stderrPath) {
        case .success(let child): pid = child
        case .failure(let error): return .failed("cannot start \(executable.path): \(error.reason)")
        }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result == -1 && errno != EINTR { return .failed("waitpid failed: \(String(cString: strerror(errno)))") }
            if Date() >= deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                timedOut = true
                break
            }
            usleep(1_000)
        }
        if timedOut { return .failed("timed out after \(timeout) s") }

        let signal = status & 0x7f  // WTERMSIG; 0 when the child exited
        if signal != 0 {
            let message = (try? String(contentsOfFile: stderrPath, encoding: .utf8)).map(trapMessage) ?? ""
            return .failed("crashed (signal \(signal))\(message.isEmpty ? "" : ": \(message)")")
        }
        let exitStatus = (status >> 8) & 0xff
        let output = (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))) ?? Data()
        let line = output.split(separator: UInt8(ascii: "\n")).last.map { Data($0) } ?? Data()
        guard let outcome = try? JSONDecoder().decode(ConformanceOutcome.self, from: line) else {
            let message = (try? String(contentsOfFile: stderrPath, encoding: .utf8)).map(trapMessage) ?? ""
            return .failed(
                "the case's process exited with status \(exitStatus) and no result\(message.isEmpty ? "" : ": \(message)")"
            )
        }
        return outcome
    }

    private struct SpawnError: Error {
        var reason: String
    }

    /// Starts `arguments[0]` with stdin from /dev/null and stdout, stderr into the given files.
    private static func spawn(
        _ arguments: [String], environment: [String: String], stdout: String, stderr: String
    ) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard result == 0 else { return .failure(SpawnError(reason: String(cString: strerror(result)))) }
        return .success(pid)
    }

    /// The Swift runtime's `Fatal error: ...` line, else the last non-empty line of stderr.
    private static func trapMessage(_ stderr: String) -> String {
        let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        let fatal = lines.first { $0.contains("Fatal error") || $0.contains("Precondition failed") }
        return String((fatal ?? lines.last ?? "").prefix(300))
    }
}

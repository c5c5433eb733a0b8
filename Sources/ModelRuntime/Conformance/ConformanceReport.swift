import Foundation

/// The results of a conformance run, counted per op, with a markdown rendering.
public struct ConformanceReport: Sendable, Codable {
    /// Counts for one op.
    public struct OpRow: Sendable, Codable, Equatable {
        public var op: String
        public var passed = 0
        public var failed = 0
        public var notSupported = 0
        public var knownGaps = 0
    }

    /// Totals over every case.
    public struct Totals: Sendable, Codable, Equatable {
        public var passed = 0
        public var failed = 0
        public var notSupported = 0
        public var knownGaps = 0
    }

    /// Every case, sorted by name.
    public var results: [ConformanceResult]
    /// One row per op, sorted by op.
    public var ops: [OpRow]
    public var totals: Totals
    /// Known-gap entries that name no case of this run (only reported when every case ran).
    public var unmatchedKnownGaps: [String]

    /// Counts `results`; `unmatchedKnownGaps` lists entries of the list that name no case.
    public init(results: [ConformanceResult], unmatchedKnownGaps: [String] = []) {
        self.results = results.sorted { $0.name < $1.name }
        self.unmatchedKnownGaps = unmatchedKnownGaps.sorted()
        var rows: [String: OpRow] = [:]
        var totals = Totals()
        for result in results {
            var row = rows[result.op] ?? OpRow(op: result.op)
            switch result.status {
            case .passed:
                row.passed += 1
                totals.passed += 1
            case .failed:
                row.failed += 1
                totals.failed += 1
            case .notSupported:
                row.notSupported += 1
                totals.notSupported += 1
            case .knownGap:
                row.knownGaps += 1
                totals.knownGaps += 1
            }
            rows[result.op] = row
        }
        ops = rows.values.sorted { $0.op < $1.op }
        self.totals = totals
    }

    /// Whether the run is green: no case failed outside the known-gaps list.
    public var succeeded: Bool { totals.failed == 0 }

    /// Known-gap entries whose case passes now.
    public var staleKnownGaps: [String] { results.filter(\.isStaleKnownGap).map(\.name) }

    /// The per-op table, the cases that did not pass with their reasons, and the closing
    /// `N passed, N failed, N not supported` line.
    public func markdown(reasonLimit: Int = 240) -> String {
        var lines = ["| op | passed | failed | not supported | known gaps |", "|---|---:|---:|---:|---:|"]
        for row in ops {
            lines.append("| \(row.op) | \(row.passed) | \(row.failed) | \(row.notSupported) | \(row.knownGaps) |")
        }
        lines.append(
            "| **total** | \(totals.passed) | \(totals.failed) | \(totals.notSupported) | \(totals.knownGaps) |")
        for (title, status) in [
            ("Failed", ConformanceResult.Status.failed), ("Known gaps", .knownGap), ("Not supported", .notSupported),
        ] {
            let selected = results.filter { $0.status == status }
            guard !selected.isEmpty else { continue }
            lines += ["", "### \(title) (\(selected.count))", "", "| case | op | reason |", "|---|---|---|"]
            for result in selected {
                var reason = result.outcome.reason ?? ""
                if let listed = result.knownGapReason {
                    reason = "\(listed) [\(result.outcome.status.rawValue): \(reason)]"
                }
                lines.append("| \(result.name) | \(result.op) | \(cell(reason, limit: reasonLimit)) |")
            }
        }
        let frozen = results.filter { $0.outcome.frozenInputs != nil }
        if !frozen.isEmpty {
            let passed = frozen.filter { $0.status == .passed }.count
            lines += [
                "",
                "\(frozen.count) case(s) (\(passed) passed) ran with their shape/axes/split inputs given as initializers "
                    + "holding the test data, since the runtime plans shapes before running: "
                    + frozen.map(\.name).joined(separator: ", "),
            ]
        }
        let stale = staleKnownGaps
        if !stale.isEmpty {
            lines += ["", "Known gaps that pass now (remove them from the list): " + stale.joined(separator: ", ")]
        }
        if !unmatchedKnownGaps.isEmpty {
            lines += ["", "Known gaps naming no case: " + unmatchedKnownGaps.joined(separator: ", ")]
        }
        lines += ["", "\(totals.knownGaps) known gap(s)"]
        lines.append("\(totals.passed) passed, \(totals.failed) failed, \(totals.notSupported) not supported")
        return lines.joined(separator: "\n")
    }

    private func cell(_ text: String, limit: Int) -> String {
        let escaped = text.replacingOccurrences(of: "|", with: "\\|")
        return escaped.count > limit ? String(escaped.prefix(limit)) + "…" : escaped
    }
}

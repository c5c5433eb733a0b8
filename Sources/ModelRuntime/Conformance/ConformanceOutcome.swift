import Foundation

/// What happened when one case ran.
public struct ConformanceOutcome: Sendable, Codable, Equatable {
    /// The classes a case falls into.
    public enum Status: String, Sendable, Codable {
        /// Every output matched within the case's tolerances.
        case passed
        /// An output differs, has the wrong shape or type, or the case could not run at all.
        case failed
        /// The model uses an opset, op, attribute or element type we do not support.
        case notSupported = "not supported"
    }

    public var status: Status
    /// Why the case did not pass (one line); nil when it passed.
    public var reason: String?
    /// The largest |got − expected| over the compared outputs, when any were compared.
    public var maxAbsDiff: Double?
    /// Graph inputs given as initializers because they decide output shapes (see
    /// `ConformanceRunner.shapeInputs`); nil when none were.
    public var frozenInputs: [String]?

    public init(status: Status, reason: String? = nil, maxAbsDiff: Double? = nil) {
        self.status = status
        self.reason = reason
        self.maxAbsDiff = maxAbsDiff
    }

    /// A passed case.
    public static func passed(maxAbsDiff: Double?) -> ConformanceOutcome {
        .init(status: .passed, maxAbsDiff: maxAbsDiff)
    }
    /// A failed case.
    public static func failed(_ reason: String, maxAbsDiff: Double? = nil) -> ConformanceOutcome {
        .init(status: .failed, reason: oneLine(reason), maxAbsDiff: maxAbsDiff)
    }
    /// A case using something we do not support.
    public static func notSupported(_ reason: String) -> ConformanceOutcome {
        .init(status: .notSupported, reason: oneLine(reason))
    }

    /// `text` on one line: line breaks become "; ".
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }
}

/// A case and its outcome, as reported: a non-passing case on the known-gaps list is shown as
/// a known gap with the listed reason.
public struct ConformanceResult: Sendable, Codable, Equatable {
    /// How the result counts in the report.
    public enum Status: String, Sendable, Codable {
        case passed, failed
        case notSupported = "not supported"
        case knownGap = "known gap"
    }

    public var name: String
    public var op: String
    public var status: Status
    /// What actually happened (for a known gap, the failure or refusal behind it).
    public var outcome: ConformanceOutcome
    /// The reason given in the known-gaps list, when the case is listed.
    public var knownGapReason: String?

    /// Whether the case is listed as a known gap but passes now (the entry is stale).
    public var isStaleKnownGap: Bool { knownGapReason != nil && outcome.status == .passed }

    public init(case testCase: ConformanceCase, outcome: ConformanceOutcome, knownGapReason: String?) {
        name = testCase.name
        op = testCase.op
        self.outcome = outcome
        self.knownGapReason = knownGapReason
        switch outcome.status {
        case .passed: status = .passed
        case _ where knownGapReason != nil: status = .knownGap
        case .failed: status = .failed
        case .notSupported: status = .notSupported
        }
    }
}

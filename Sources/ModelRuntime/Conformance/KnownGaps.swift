import Foundation

/// The checked-in list of conformance cases we know we fail or refuse, one per line:
///
///     case_name  reason in words
///
/// Blank lines and lines starting with `#` are ignored. Every entry needs a reason; a name
/// listed twice is an error, so the list stays honest.
public struct KnownGaps: Sendable, Equatable {
    /// Reason by case name.
    public var reasons: [String: String]

    public init(reasons: [String: String] = [:]) { self.reasons = reasons }

    /// Parses the list; errors name the file and line.
    public init(parsing text: String, file: String = "known-gaps.txt") throws(ConformanceSuiteError) {
        var reasons: [String: String] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            let name = String(parts[0])
            let reason = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            guard !reason.isEmpty else {
                throw ConformanceSuiteError(
                    description: "\(file):\(offset + 1): '\(name)' has no reason; write `case_name  reason`")
            }
            guard reasons[name] == nil else {
                throw ConformanceSuiteError(description: "\(file):\(offset + 1): '\(name)' is listed twice")
            }
            reasons[name] = reason
        }
        self.reasons = reasons
    }

    /// Reads the list in `url`.
    public init(contentsOf url: URL) throws(ConformanceSuiteError) {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ConformanceSuiteError(description: "\(url.path): cannot read the known-gaps list")
        }
        defer { try? handle.close() }
        let bytes = handle.readDataToEndOfFile()
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw ConformanceSuiteError(description: "\(url.path): the known-gaps list is not UTF-8")
        }
        try self.init(parsing: text, file: url.path)
    }

    /// The listed reason for `name`, if listed.
    public subscript(name: String) -> String? { reasons[name] }
}

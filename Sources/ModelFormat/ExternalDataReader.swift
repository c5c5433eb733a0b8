import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads tensor bytes kept in a side file, refusing paths that leave the model's folder.
///
/// `location` must be relative, without `..` components, and must still lie inside the model's
/// folder after symbolic links are resolved; the byte range must lie inside the file. Ranges
/// from `FormatLimits.mapExternalDataFromBytes` up are memory-mapped rather than copied.
enum ExternalDataReader {
    static func read(_ external: ProtoExternalData, tensor: String, context: PayloadContext) throws(FormatError) -> Data {
        let location = external.location
        func fail(_ reason: String) -> FormatError {
            .externalData(file: context.fileName, tensor: tensor, location: location, reason: reason)
        }
        guard let directory = context.modelDirectory else {
            throw fail("external data needs the model's folder; this model was not read from a file")
        }
        guard !location.isEmpty else { throw fail("the location is empty") }
        guard !location.hasPrefix("/") else { throw fail("absolute paths are refused; give a path relative to the model's folder") }
        guard !location.split(separator: "/").contains("..") else { throw fail("'..' would leave the model's folder") }
        let candidate = directory.appendingPathComponent(location).path
        guard let resolved = realPath(candidate), let root = realPath(directory.path) else {
            throw fail("no such file beside the model")
        }
        guard resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw fail("resolves (through a symbolic link) to '\(resolved)', outside the model's folder")
        }
        // Opened non-blocking and checked with fstat: a FIFO here used to hang check, compile and infer.
        let file: RegularFile
        do {
            file = try RegularFile(path: resolved)
        } catch {
            throw fail(error.reason)
        }
        let fileSize = file.size
        let offset = Int(external.offset)
        guard offset >= 0, external.length >= 0 else {
            throw fail("negative offset \(external.offset) or length \(external.length)")
        }
        let length = external.length == 0 ? fileSize - offset : Int(external.length)
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, length >= 0, end <= fileSize else {
            throw fail("bytes \(offset)..<\(overflow ? "overflow" : String(end)) lie past the end of the \(fileSize)-byte file")
        }
        guard length <= context.limits.maxTensorBytes else {
            throw .limitExceeded(
                file: context.fileName, what: "external data of tensor '\(tensor)'", value: "\(length) bytes",
                limit: "\(context.limits.maxTensorBytes) bytes")
        }
        let bytes =
            length >= context.limits.mapExternalDataFromBytes
            ? file.map(offset: offset, length: length) : file.read(offset: offset, length: length)
        switch bytes {
        case .success(let data): return data
        case .failure(let refusal): throw fail(refusal.reason)
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

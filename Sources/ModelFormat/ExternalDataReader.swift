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
        let descriptor = open(resolved, O_RDONLY)
        guard descriptor >= 0 else { throw fail("cannot open: \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw fail("not a regular file")
        }
        let fileSize = Int(status.st_size)
        let offset = Int(external.offset)
        guard offset >= 0, external.length >= 0 else {
            close(descriptor)
            throw fail("negative offset \(external.offset) or length \(external.length)")
        }
        let length = external.length == 0 ? fileSize - offset : Int(external.length)
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow, length >= 0, end <= fileSize else {
            close(descriptor)
            throw fail("bytes \(offset)..<\(overflow ? "overflow" : String(end)) lie past the end of the \(fileSize)-byte file")
        }
        guard length <= context.limits.maxTensorBytes else {
            close(descriptor)
            throw .limitExceeded(
                file: context.fileName, what: "external data of tensor '\(tensor)'", value: "\(length) bytes",
                limit: "\(context.limits.maxTensorBytes) bytes")
        }
        if length >= context.limits.mapExternalDataFromBytes {
            return try mapped(descriptor: descriptor, offset: offset, length: length, fail: fail)
        }
        defer { close(descriptor) }
        var bytes = Data(count: length)
        var done = 0
        while done < length {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress.map { $0 + done }, length - done, off_t(offset + done))
            }
            guard got > 0 else { throw fail("read failed after \(done) of \(length) bytes") }
            done += got
        }
        return bytes
    }

    /// A read-only mapping of the range; the mapping lives as long as the returned `Data`.
    private static func mapped(
        descriptor: Int32, offset: Int, length: Int, fail: (String) -> FormatError
    ) throws(FormatError) -> Data {
        defer { close(descriptor) }  // a mapping outlives its descriptor
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let alignedOffset = offset - offset % page
        let slack = offset - alignedOffset
        guard let base = mmap(nil, length + slack, PROT_READ, MAP_PRIVATE, descriptor, off_t(alignedOffset)),
            base != MAP_FAILED
        else {
            throw fail("mmap failed: \(String(cString: strerror(errno)))")
        }
        let mappedLength = length + slack
        return Data(bytesNoCopy: base + slack, count: length, deallocator: .custom { _, _ in munmap(base, mappedLength) })
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

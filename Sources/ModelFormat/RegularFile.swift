import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file opened for reading from a path the user (or a model's external data) names, after
/// checking that it is a regular file.
///
/// The path is opened non-blocking, so a FIFO cannot hang the open (a blocking open of a FIFO
/// waits for a writer forever), then `fstat` on the descriptor says what the path really is; a
/// FIFO, device, folder or socket is refused with a sentence naming it. Checking the open
/// descriptor rather than the path leaves no window for the path to be swapped in between.
/// Non-blocking mode is cleared again before any read.
public struct RegularFile: ~Copyable {
    public let descriptor: Int32
    /// The size `fstat` reported.
    public let size: Int

    /// Why a path could not be opened as a regular file: one sentence ("it is a FIFO (named
    /// pipe), not a regular file", "no such file").
    public struct Refusal: Error, Sendable {
        public let reason: String
    }

    /// Opens `path` read-only; a refusal when it is missing, unreadable or not a regular file.
    public init(path: String) throws(Refusal) {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            throw Refusal(reason: code == ENOENT ? "no such file" : String(cString: strerror(code)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw Refusal(reason: "cannot inspect it: \(reason)")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw Refusal(reason: "it is \(Self.kind(status.st_mode)), not a regular file")
        }
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            close(descriptor)
            throw Refusal(reason: "cannot make it blocking: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// What a non-regular file is, for messages: "a FIFO (named pipe)", "a folder", ...
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFDIR: "a folder"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file (mode \(String(mode & S_IFMT, radix: 8)))"
        }
    }

    /// Bytes `offset..<offset + length`, copied; a refusal when the file ends early.
    public func read(offset: Int, length: Int) -> Result<Data, Refusal> {
        var bytes = Data(count: length)
        var done = 0
        while done < length {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress.map { $0 + done }, length - done, off_t(offset + done))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return .failure(Refusal(reason: "read failed after \(done) of \(length) bytes")) }
            done += got
        }
        return .success(bytes)
    }

    /// A read-only mapping of `offset..<offset + length` that lives as long as the returned
    /// `Data` (the mapping outlives the descriptor).
    public func map(offset: Int, length: Int) -> Result<Data, Refusal> {
        guard length > 0 else { return .success(Data()) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let alignedOffset = offset - offset % page
        let slack = offset - alignedOffset
        let mappedLength = length + slack
        guard let base = mmap(nil, mappedLength, PROT_READ, MAP_PRIVATE, descriptor, off_t(alignedOffset)),
            base != MAP_FAILED
        else {
            return .failure(Refusal(reason: "mmap failed: \(String(cString: strerror(errno)))"))
        }
        return .success(
            Data(bytesNoCopy: base + slack, count: length, deallocator: .custom { _, _ in munmap(base, mappedLength) }))
    }
}

/// The processes (ranks) of a data-parallel training run and the collectives the trainer and
/// the `AllReduce` kernel need. `SingleProcessCommunicator` is the one-rank identity;
/// `MPICommunicator` runs the collectives over MPI.
///
/// Every collective must be called by every rank, in the same order, with the same counts.
public protocol Communicator: AnyObject, Sendable {
    /// This process's index, 0..<size.
    var rank: Int { get }
    /// The number of ranks.
    var size: Int { get }
    /// Sums `count` floats element-wise over the ranks, in place. Returns false when the
    /// collective failed; the failure is then kept in `failure` (a kernel cannot throw).
    func sumInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) -> Bool
    /// Element-wise sums of doubles over the ranks (loss sums, sample counts).
    func sum(_ values: [Double]) throws(RuntimeError) -> [Double]
    /// Overwrites `count` floats on every rank with rank `root`'s.
    func broadcast(_ values: UnsafeMutablePointer<Float>, count: Int, from root: Int) throws(RuntimeError)
    /// The first collective that failed, nil while all succeeded.
    var failure: RuntimeError? { get }
}

extension Communicator {
    /// The minimum of an integer over the ranks (exact for |value| < 2^53).
    public func minimum(_ value: Int) throws(RuntimeError) -> Int {
        // Every rank's value through one sum of one-hot vectors (size is small: the rank count).
        var votes = [Double](repeating: 0, count: size)
        votes[rank] = Double(value)
        let all = try sum(votes)
        return Int(all.min() ?? Double(value))
    }
}

/// One process: every collective is the identity.
public final class SingleProcessCommunicator: Communicator {
    /// The shared instance (the type holds no state).
    public static let shared = SingleProcessCommunicator()

    public init() {}

    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var failure: RuntimeError? { nil }
    public func sumInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) -> Bool { true }
    public func sum(_ values: [Double]) throws(RuntimeError) -> [Double] { values }
    public func broadcast(_ values: UnsafeMutablePointer<Float>, count: Int, from root: Int) throws(RuntimeError) {}
}

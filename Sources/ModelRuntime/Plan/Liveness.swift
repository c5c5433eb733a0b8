import ModelCompiler

/// When each value is last read, and which values share a buffer: a shape-only op's output
/// (Reshape, Flatten, ...) aliases its input when that input lives in the arena (a feed or a
/// weight must stay untouched), so the two have one root whose lifetime covers both.
struct Liveness {
    /// Per value: the root value whose buffer it uses (itself when not an alias).
    let root: [Int]
    /// Per root value: the last step that reads it or any of its aliases (-1: never read;
    /// `Int.max`: fetched, alive to the end).
    let rootLastUse: [Int: Int]

    static let viewOps: Set<OpType> = [.identity, .reshape, .flatten, .squeeze, .unsqueeze, .dropout, .reshapeLike]

    init(_ graph: Graph, fetches: [Int], outsideArena: (Int) -> Bool) {
        let count = graph.values.count
        var lastUse = [Int](repeating: -1, count: count)
        for (step, node) in graph.nodes.enumerated() {
            for input in node.inputs { if let input { lastUse[input.index] = step } }
        }
        for value in fetches { lastUse[value] = Int.max }
        var root = Array(0..<count)
        for node in graph.nodes where Liveness.viewOps.contains(node.op) && node.outputs.count == 1 {
            guard let input = node.inputs.first ?? nil, let output = node.outputs[0] else { continue }
            if !outsideArena(input.index) { root[output.index] = root[input.index] }
        }
        var rootLastUse: [Int: Int] = [:]
        for index in 0..<count {
            rootLastUse[root[index], default: -1] = max(rootLastUse[root[index], default: -1], lastUse[index])
        }
        self.root = root
        self.rootLastUse = rootLastUse
    }
}

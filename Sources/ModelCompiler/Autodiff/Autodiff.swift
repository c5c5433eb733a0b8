import ModelFormat

/// Reverse-mode differentiation of a graph: appends the nodes computing dL/dp for every
/// parameter p from a scalar loss L, by applying each op's gradient rule (`GradientRules`)
/// from the loss back to the parameters.
///
/// Only nodes on a path from a parameter to the loss are differentiated; a value read by
/// several nodes gets the sum of its gradient contributions (an Add per extra contribution).
/// Integer values (indices, shapes) carry no gradient.
public enum Autodiff {
    /// Appends the gradient nodes; returns each parameter's gradient value (parameters the
    /// loss does not depend on are left out).
    public static func differentiate(
        _ graph: inout Graph, loss: ValueID, parameters: [ValueID]
    ) throws(CompileError) -> [ValueID: ValueID] {
        let forwardCount = graph.nodes.count
        // Forward: values that depend on a parameter.
        var dependsOnParameter = [Bool](repeating: false, count: graph.values.count)
        for parameter in parameters { dependsOnParameter[parameter.index] = true }
        for node in graph.nodes where node.inputs.contains(where: { $0.map { dependsOnParameter[$0.index] } ?? false })
        {
            for output in node.outputs {
                if let output, graph[output].type.dataType == .float { dependsOnParameter[output.index] = true }
            }
        }
        // Backward: values the loss depends on.
        var feedsLoss = [Bool](repeating: false, count: graph.values.count)
        feedsLoss[loss.index] = true
        for node in graph.nodes.reversed()
        where node.outputs.contains(where: { $0.map { feedsLoss[$0.index] } ?? false }) {
            for input in node.inputs { if let input { feedsLoss[input.index] = true } }
        }

        var builder = GradientBuilder(graph: graph)
        var contributions: [ValueID: [ValueID]] = [:]
        contributions[loss] = [builder.constant(float: 1)]
        func total(_ value: ValueID, builder: inout GradientBuilder) -> ValueID? {
            guard let parts = contributions[value], var sum = parts.first else { return nil }
            for part in parts.dropFirst() { sum = builder.emit(.add, [sum, part]) }
            contributions[value] = [sum]
            return sum
        }
        for index in stride(from: forwardCount - 1, through: 0, by: -1) {
            let node = graph.nodes[index]
            let relevant = node.outputs.contains {
                $0.map { feedsLoss[$0.index] && dependsOnParameter[$0.index] } ?? false
            }
            guard relevant else { continue }
            let outputGradients = node.outputs.map { $0.flatMap { total($0, builder: &builder) } }
            guard outputGradients.contains(where: { $0 != nil }) else { continue }
            let needs = node.inputs.map {
                $0.map { dependsOnParameter[$0.index] && builder.graph[$0].type.dataType == .float } ?? false
            }
            builder.begin(node: node, index: index, outputGradients: outputGradients, needsGradient: needs)
            guard let gradients = try GradientRules.apply(&builder) else {
                throw builder.unsupported("\(node.op.rawValue) has no gradient rule yet")
            }
            for (position, gradient) in gradients.enumerated() {
                guard let gradient, position < node.inputs.count, let input = node.inputs[position], needs[position]
                else { continue }
                contributions[input, default: []].append(gradient)
            }
        }
        var result: [ValueID: ValueID] = [:]
        for parameter in parameters {
            if let gradient = total(parameter, builder: &builder) { result[parameter] = gradient }
        }
        graph = builder.graph
        return result
    }
}

import Foundation
import ModelFormat

/// A training checkpoint: `checkpoint.model` (the model with the current weights) and
/// `state.npz` (optimiser state tensors, the step count and the epochs done), each written
/// atomically, the state last so a kill between the two leaves the previous state with a
/// newer model that `restore` detects by the epoch recorded in both.
enum Checkpoint {
    static let epochKey = "modelformat.checkpoint.epoch"

    static func write(_ session: TrainingSession, epoch: Int, to directory: URL) throws(TrainingError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .checkpoint(path: directory.path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        var model = session.model
        model.metadata.removeAll { $0.key == epochKey }
        var entry = ProtoStringEntry()
        entry.key = epochKey
        entry.value = "\(epoch)"
        model.metadata.append(entry)
        var state: [String: Tensor] = [:]
        for parameter in session.training.parameters {
            for name in parameter.state { state[name] = session.store.tensor(name) }
        }
        state["__step"] = Tensor(shape: [1], int64s: [Int64(session.stepCount)])
        state["__epoch"] = Tensor(shape: [1], int64s: [Int64(epoch)])
        do {
            try model.write(to: directory.appendingPathComponent("checkpoint.model"))
        } catch {
            throw .checkpoint(path: directory.appendingPathComponent("checkpoint.model").path, reason: "\(error)")
        }
        do {
            try NPZ.write(state, to: directory.appendingPathComponent("state.npz"))
        } catch {
            throw .checkpoint(path: directory.appendingPathComponent("state.npz").path, reason: error.description)
        }
    }

    /// Loads weights and optimiser state into `session`; returns the epochs already done.
    static func restore(from directory: URL, into session: TrainingSession) throws(TrainingError) -> Int {
        let modelURL = directory.appendingPathComponent("checkpoint.model")
        let stateURL = directory.appendingPathComponent("state.npz")
        let model: ProtoModel
        let state: [String: Tensor]
        do {
            model = try ProtoModel(contentsOf: modelURL)
        } catch {
            throw .checkpoint(path: modelURL.path, reason: "\(error)")
        }
        do {
            state = try NPZ.read(stateURL)
        } catch {
            throw .checkpoint(path: stateURL.path, reason: error.description)
        }
        let epoch = Int(state["__epoch"]?.int64s.first ?? -1)
        let recorded = model.metadata.first { $0.key == epochKey }?.value ?? "?"
        guard recorded == "\(epoch)" else {
            throw .checkpoint(
                path: directory.path,
                reason: "checkpoint.model (epoch \(recorded)) and state.npz "
                    + "(epoch \(epoch)) disagree; the run was stopped while writing them")
        }
        for tensor in model.graph.initializer where session.store.contains(tensor.name) {
            guard let value = try? InferenceSession.load(tensor), session.store.assign(tensor.name, value) else {
                throw .checkpoint(path: modelURL.path, reason: "weight '\(tensor.name)' does not match the model being trained")
            }
        }
        for (name, tensor) in state where !name.hasPrefix("__") {
            guard session.store.assign(name, tensor) else {
                throw .checkpoint(path: stateURL.path, reason: "optimizer state '\(name)' does not match the model being trained")
            }
        }
        session.stepCount = Int(state["__step"]?.int64s.first ?? 0)
        return epoch
    }
}

import ModelFormat

/// The training section's values as they take effect: an explicit value as written, an unset
/// one as the default `schemas/model.proto` states. Presence comes from each field's oneof, so
/// an explicit 0 is not mistaken for "unset" (it is checked, and rejected where it is invalid,
/// by `TrainingConfigCheck`).
extension ProtoOptimizer {
    /// `learning_rate` when written in the model.
    public var givenLearningRate: Float? {
        if case .learningRate(let value)? = learningRateGiven { return value }
        return nil
    }
    public var givenMomentum: Float? {
        if case .momentum(let value)? = momentumGiven { return value }
        return nil
    }
    public var givenBeta1: Float? {
        if case .beta1(let value)? = beta1Given { return value }
        return nil
    }
    public var givenBeta2: Float? {
        if case .beta2(let value)? = beta2Given { return value }
        return nil
    }
    public var givenEpsilon: Float? {
        if case .epsilon(let value)? = epsilonGiven { return value }
        return nil
    }
    public var givenRho: Float? {
        if case .rho(let value)? = rhoGiven { return value }
        return nil
    }

    /// The base learning rate: `learning_rate`, else 1e-3.
    public var effectiveLearningRate: Float { givenLearningRate ?? 1e-3 }
    /// Momentum: as written, else 0.9 for MOMENTUM and NESTEROV and 0 (no buffer) otherwise.
    public var effectiveMomentum: Float { givenMomentum ?? (kind == .momentum || kind == .nesterov ? 0.9 : 0) }
    public var effectiveBeta1: Float { givenBeta1 ?? 0.9 }
    public var effectiveBeta2: Float { givenBeta2 ?? 0.999 }
    public var effectiveEpsilon: Float { givenEpsilon ?? 1e-8 }
    /// ρ: as written, else 0.99 for RMSPROP (PyTorch's alpha) and 0.9 otherwise.
    public var effectiveRho: Float { givenRho ?? (kind == .rmsprop ? 0.99 : 0.9) }
}

extension ProtoTrainingConfig {
    public var givenBatchSize: Int64? {
        if case .batchSize(let value)? = batchSizeGiven { return value }
        return nil
    }
    public var givenEpochs: Int64? {
        if case .epochs(let value)? = epochsGiven { return value }
        return nil
    }
    /// Samples per step: `batch_size`, else 32.
    public var effectiveBatchSize: Int { Int(clamping: givenBatchSize ?? 32) }
    /// Passes over the data: `epochs`, else 1.
    public var effectiveEpochs: Int { Int(clamping: givenEpochs ?? 1) }
}

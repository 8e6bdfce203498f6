"""Recognition: what one frame shows. Image quality, the ONNX model, the reference gallery and the
geometric verifier, combined by the Recognizer into per-frame evidence. No Qt."""

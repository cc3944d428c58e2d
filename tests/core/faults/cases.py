"""The fault table: bad inputs x commands, each with the exit status and the name that the
one-line message must contain. `{kit}` is the session's input kit, `{tmp}` the test's own
folder, `{link}` a symbolic and `{hard}` a hard link (in `{tmp}`) to the kit's driving.mp4
and source.png."""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    id: str
    program: str  # "flowmark" or "train.py"
    argv: str  # split on spaces after formatting
    code: int
    names: str  # text the single stderr line must contain


def animate(
    source: str = "{kit}/source.png",
    driving: str = "{kit}/driving.mp4",
    out: str = "{tmp}/o.mp4",
    model: str = "{kit}/model.safetensors",
) -> str:
    """The argv of `flowmark animate`, the kit's good inputs except where named."""
    return f"animate {source} {driving} -o {out} --model {model}"


M = "--model {kit}/model.safetensors"
A = animate()
T = "--config {kit}/tiny.yaml --data {kit}/data --out {tmp}/run --device cpu"

CASES: tuple[Case, ...] = (
    # animate: the source image
    Case("animate-missing-source", "flowmark", animate(source="{kit}/nope.png"), 2, "nope.png"),
    Case("animate-empty-source", "flowmark", animate(source="{kit}/empty.png"), 2, "empty.png"),
    Case("animate-text-as-image", "flowmark", animate(source="{kit}/text.png"), 2, "text.png"),
    Case("animate-truncated-image", "flowmark", animate(source="{kit}/truncated.png"), 2, "truncated.png"),
    Case("animate-4px-image", "flowmark", animate(source="{kit}/tiny.png"), 2, "tiny.png"),
    Case("animate-video-as-source", "flowmark", animate(source="{kit}/driving.mp4"), 2, "driving.mp4"),
    Case("animate-folder-as-source", "flowmark", animate(source="{kit}/folder"), 2, "folder"),
    # animate: the driving video
    Case("animate-image-as-driving", "flowmark", animate(driving="{kit}/source.png"), 2, "source.png"),
    Case("animate-text-as-video", "flowmark", animate(driving="{kit}/text.mp4"), 2, "text.mp4"),
    Case("animate-empty-video", "flowmark", animate(driving="{kit}/empty.mp4"), 2, "empty.mp4"),
    Case("animate-truncated-video", "flowmark", animate(driving="{kit}/truncated.mp4"), 2, "truncated.mp4"),
    Case("animate-missing-video", "flowmark", animate(driving="{kit}/nope.mp4"), 2, "nope.mp4"),
    Case("animate-empty-frame-folder", "flowmark", animate(driving="{kit}/folder"), 2, "folder"),
    Case("animate-unknown-extension", "flowmark", animate(out="{tmp}/o.avi"), 2, "o.avi"),
    # animate: the output
    Case("animate-output-folder-missing", "flowmark", animate(out="{tmp}/missing/o.mp4"), 2, "missing"),
    Case("animate-output-is-driving", "flowmark", animate(out="{kit}/driving.mp4"), 2, "driving.mp4"),
    Case("animate-output-symlink-to-driving", "flowmark", animate(out="{link}"), 2, "link.mp4"),
    # animate: options
    Case("animate-size-20000", "flowmark", f"{A} --size 20000", 2, "--size"),
    Case("animate-size-8", "flowmark", f"{A} --size 8", 2, "--size"),
    Case("animate-fps-0", "flowmark", f"{A} --fps 0", 2, "--fps"),
    Case("animate-fps-nan", "flowmark", f"{A} --fps nan", 2, "--fps"),
    Case("animate-fps-negative", "flowmark", f"{A} --fps -5", 2, "--fps"),
    Case("animate-bad-mode", "flowmark", f"{A} --mode sideways", 2, "--mode"),
    Case("animate-bad-stabilizer", "flowmark", f"{A} --stabilize kalman", 2, "--stabilize"),
    Case("animate-unknown-option", "flowmark", f"{A} --colour red", 2, "--colour"),
    # animate: the model file
    Case("model-missing", "flowmark", animate(model="{kit}/nope.safetensors"), 2, "nope.safetensors"),
    Case("model-text-file", "flowmark", animate(model="{kit}/text.safetensors"), 2, "text.safetensors"),
    Case("model-folder", "flowmark", animate(model="{kit}/folder"), 2, "folder"),
    Case("model-nan-weights", "flowmark", animate(model="{kit}/nan-weights.safetensors"), 2, "nan-weights.safetensors"),
    Case("model-1e30-weights", "flowmark", animate(model="{kit}/huge-weights.safetensors"), 2, "huge-weights.safetensors"),
    Case("model-header-config-is-list", "flowmark", animate(model="{kit}/config-list.safetensors"), 2, "config-list.safetensors"),
    Case("model-header-meta-is-list", "flowmark", animate(model="{kit}/meta-list.safetensors"), 2, "meta-list.safetensors"),
    Case("model-header-temperature-0", "flowmark", animate(model="{kit}/temperature0.safetensors"), 2, "temperature"),
    Case("model-header-image-size-100000", "flowmark", animate(model="{kit}/size100000.safetensors"), 2, "image_size"),
    Case("model-text-pth-tar", "flowmark", animate(model="{kit}/text.pth.tar"), 2, "text.pth.tar: not a readable PyTorch checkpoint"),
    Case("model-plain-pickle-is-not-code", "flowmark", animate(model="{kit}/plain.pth.tar"), 2, "plain.pth.tar: not a PyTorch checkpoint"),
    Case("model-malicious-pickle-runs-nothing", "flowmark", animate(model="{kit}/evil.pth.tar"), 2, "could run code"),
    # reconstruct
    Case("reconstruct-text-video", "flowmark", f"reconstruct {{kit}}/text.mp4 -o {{tmp}}/r.mp4 {M}", 2, "text.mp4"),
    Case("reconstruct-truncated-video", "flowmark", f"reconstruct {{kit}}/truncated.mp4 -o {{tmp}}/r.mp4 {M}", 2, "truncated.mp4"),
    Case("reconstruct-output-is-input", "flowmark", f"reconstruct {{kit}}/driving.mp4 -o {{kit}}/driving.mp4 {M}", 2, "driving.mp4"),
    Case("reconstruct-gif-extension-typo", "flowmark", f"reconstruct {{kit}}/driving.mp4 -o {{tmp}}/r.giff {M}", 2, "r.giff"),
    # keypoints
    Case("keypoints-wrong-extension", "flowmark", f"keypoints {{kit}}/driving.mp4 -o {{tmp}}/t.txt {M}", 2, "t.txt"),
    Case("keypoints-text-video", "flowmark", f"keypoints {{kit}}/text.mp4 -o {{tmp}}/t.npz {M}", 2, "text.mp4"),
    Case("keypoints-output-folder-missing", "flowmark", f"keypoints {{kit}}/driving.mp4 -o {{tmp}}/no/t.npz {M}", 2, "no"),
    Case("keypoints-empty-folder", "flowmark", f"keypoints {{kit}}/folder -o {{tmp}}/t.npz {M}", 2, "folder"),
    Case("keypoints-model-nan", "flowmark", "keypoints {kit}/driving.mp4 -o {tmp}/t.npz --model {kit}/nan-weights.safetensors", 2, "nan-weights"),
    # parts
    Case("parts-output-is-input", "flowmark", f"parts {{kit}}/source.png -o {{kit}}/source.png {M}", 2, "source.png"),
    Case("parts-output-hard-link-to-input", "flowmark", f"parts {{kit}}/source.png -o {{hard}} {M}", 2, "hard.png"),
    Case("parts-text-image", "flowmark", f"parts {{kit}}/text.png -o {{tmp}}/p.png {M}", 2, "text.png"),
    Case("parts-jpg-output", "flowmark", f"parts {{kit}}/source.png -o {{tmp}}/p.jpg {M}", 2, "p.jpg"),
    Case("parts-model-1e30", "flowmark", "parts {kit}/source.png -o {tmp}/p.png --model {kit}/huge-weights.safetensors", 2, "huge-weights"),
    # data synth
    Case("synth-zero-videos", "flowmark", "data synth --family faces --videos 0 {tmp}/ds", 2, "--videos"),
    Case("synth-size-20000", "flowmark", "data synth --family faces --videos 2 --size 20000 {tmp}/ds", 2, "size must be in 64..512"),
    Case("synth-one-frame", "flowmark", "data synth --family faces --videos 2 --frames 1 {tmp}/ds", 2, "--frames"),
    Case("synth-negative-workers", "flowmark", "data synth --family faces --videos 2 --workers -1 {tmp}/ds", 2, "--workers"),
    Case("synth-unknown-family", "flowmark", "data synth --family cats --videos 2 {tmp}/ds", 2, "--family"),
    Case("synth-into-non-empty-folder", "flowmark", "data synth --family faces --videos 2 --frames 2 --size 64 {kit}", 2, "already exists"),
    # evaluate
    Case("evaluate-output-is-a-file", "flowmark", f"evaluate {{kit}}/data -o {{kit}}/source.png {M}", 2, "source.png"),
    Case("evaluate-output-is-the-data", "flowmark", f"evaluate {{kit}}/data -o {{kit}}/data {M}", 2, "data"),
    Case("evaluate-model-and-compare", "flowmark", f"evaluate {{kit}}/data -o {{tmp}}/ev {M} --compare {{kit}}/model.safetensors", 2, "--compare"),
    Case("evaluate-max-frames-0", "flowmark", f"evaluate {{kit}}/data -o {{tmp}}/ev {M} --max-frames 0", 2, "--max-frames"),
    Case("evaluate-truncated-landmarks", "flowmark", f"evaluate {{kit}}/data-badlm -o {{tmp}}/ev {M} --max-frames 2 --no-face-metrics", 2, "landmarks.npz"),
    # train.py: options
    Case("train-threads-negative", "train.py", f"{T} --threads -1", 2, "--threads"),
    Case("train-max-steps-0", "train.py", f"{T} --max-steps 0", 2, "--max-steps"),
    Case("train-max-steps-negative", "train.py", f"{T} --max-steps -1", 2, "--max-steps"),
    Case("train-unknown-option", "train.py", f"{T} --epochs 3", 2, "--epochs"),
    Case("train-missing-config-option", "train.py", "--data {kit}/data", 2, "--config"),
    Case("train-out-is-a-file", "train.py", "--config {kit}/tiny.yaml --data {kit}/data --out {kit}/source.png", 2, "source.png"),
    Case("train-data-missing", "train.py", "--config {kit}/tiny.yaml --data {kit}/nope --out {tmp}/run", 2, "nope"),
    Case("train-resume-text-file", "train.py", f"{T} --resume {{kit}}/text.pt", 2, "text.pt"),
    Case("train-resume-missing", "train.py", f"{T} --resume {{kit}}/nope.pt", 2, "nope.pt"),
    # train.py: config files and values
    Case("train-config-missing", "train.py", "--config {kit}/nope.yaml --data {kit}/data --out {tmp}/run", 2, "nope.yaml"),
    Case("train-config-broken-yaml", "train.py", "--config {kit}/broken.yaml --data {kit}/data --out {tmp}/run", 2, "broken.yaml"),
    Case("train-config-not-a-mapping", "train.py", "--config {kit}/list.yaml --data {kit}/data --out {tmp}/run", 2, "list.yaml"),
    Case("train-log-every-0", "train.py", f"{T} --set train.log_every=0", 2, "train.log_every"),
    Case("train-lr-nan", "train.py", f"{T} --set train.lr_generator=.nan", 2, "train.lr_generator"),
    Case("train-lr-negative", "train.py", f"{T} --set train.lr_generator=-1", 2, "train.lr_generator"),
    Case("train-lr-inf", "train.py", f"{T} --set train.lr_kp_detector=.inf", 2, "train.lr_kp_detector"),
    Case("train-batch-0", "train.py", f"{T} --set train.batch_size=0", 2, "train.batch_size"),
    Case("train-steps-0", "train.py", f"{T} --set train.steps=0", 2, "train.steps"),
    Case("train-betas-one-value", "train.py", f"{T} --set train.betas=[0.5]", 2, "train.betas"),
    Case("train-temperature-0", "train.py", f"{T} --set model.kp_detector.temperature=0", 2, "temperature"),
    Case("train-image-size-100000", "train.py", f"{T} --set model.image_size=100000", 2, "image_size"),
    Case("train-num-kp-0", "train.py", f"{T} --set model.num_kp=0", 2, "num_kp"),
    Case("train-unknown-flow-method", "train.py", f"{T} --set data.flow_method=magic", 2, "flow_method"),
    Case("train-negative-workers", "train.py", f"{T} --set data.num_workers=-1", 2, "num_workers"),
    Case("train-feature-matching-without-gan", "train.py", f"{T} --set loss.feature_matching=1", 2, "feature_matching"),
    Case("train-negative-loss-weight", "train.py", f"{T} --set loss.reconstruction_l1=-1", 2, "reconstruction_l1"),
    Case("train-unknown-key", "train.py", f"{T} --set train.learning_rate=1", 2, "learning_rate"),
    Case("train-override-without-equals", "train.py", f"{T} --set train.steps", 2, "train.steps"),
    Case("train-truncated-video-read-in-a-worker", "train.py", "--config {kit}/tiny.yaml --data {kit}/data-bad --out {tmp}/run --device cpu --set data.num_workers=1", 2, "clip.mp4"),
    Case("train-scales-zero", "train.py", f"{T} --set train.scales=[1,0]", 2, "train.scales"),
    # fault campaign 3, RC21 and RC29: options checked before any work, named as typed
    Case("generate-fps-1e9", "flowmark", f"generate {{kit}}/source.png -o {{tmp}}/g.mp4 --frames 4 {M} --fps 1e9", 2, "--fps"),
    Case("generate-fps-tiny", "flowmark", f"generate {{kit}}/source.png -o {{tmp}}/g.mp4 --frames 4 {M} --fps 1e-9", 2, "--fps"),
    Case("generate-seed-2pow64", "flowmark", f"generate {{kit}}/source.png -o {{tmp}}/g.mp4 --frames 4 {M} --seed 18446744073709551616", 2, "--seed"),
    Case("adapt-lr-nan", "flowmark", f"adapt {{kit}}/driving.mp4 -o {{tmp}}/m.safetensors --steps 1 --no-face-crop {M} --lr nan", 2, "--lr"),
    Case("adapt-lr-0", "flowmark", f"adapt {{kit}}/driving.mp4 -o {{tmp}}/m.safetensors --steps 1 --no-face-crop {M} --lr 0", 2, "--lr"),
    Case("evaluate-generate-max-frames-300", "flowmark", f"evaluate {{kit}}/data -o {{tmp}}/ev {M} --task generate --samples 2 --max-frames 300", 2, "--max-frames"),
)  # fmt: skip

# Sourced by the experiment scripts (scripts/*_study.sh, *_comparison.sh): the interpreter and
# CLI they use, and a launcher for background training runs.
# shellcheck shell=bash
py=${PYTHON:-.venv/bin/python}
fm=${FLOWMARK:-.venv/bin/flowmark}

# train_in_background CONFIG DATA OUT [train.py options...]: one thread, nice 5, log in OUT.log.
train_in_background() {
  local cfg=$1 data=$2 out=$3
  shift 3
  nohup nice -n 5 "$py" train.py --config "$cfg" --data "$data" --out "$out" \
    --threads 1 "$@" >"$out.log" 2>&1 &
  echo "started $out (pid $!)"
}

# variant NAME [train.py options...]: train_in_background "$cfg" "$data" "$out-NAME" (the
# calling script sets cfg, data and out).
variant() {
  local name=$1
  shift
  train_in_background "$cfg" "$data" "$out-$name" "$@"
}

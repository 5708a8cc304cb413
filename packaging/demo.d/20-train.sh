# Demo step (sourced by packaging/demo with $VWB and $DEMO): show the planner's decision for this
# machine and for Kaggle's 2xT4, then train a small UNet3D for a few minutes on the CPU.
echo "== the planner's choice for this machine"
"$VWB" plan --data "$DEMO/data"
echo "== ... and what it would do on Kaggle's 2x T4"
"$VWB" plan --data "$DEMO/data" --assume-gpus 2x16GB:sm75 | sed -n '1,12p'
if [ -f "$DEMO/run/checkpoints/best.pt" ]; then
  echo "== demo run already trained: $DEMO/run (delete it to train again)"
else
  echo "== training a small demo model (patch 32, 3 levels, base 8; a few minutes on 2 cores)"
  rm -rf "$DEMO/run"
  "$VWB" train --data "$DEMO/data" --out "$DEMO/run" --patch 32 --levels 3 --base-channels 8 \
    --batch 4 --epochs 4 --steps-per-epoch 20 --lr 3e-3 --val-fraction 0.34 --seed 1
fi

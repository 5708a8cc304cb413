# Demo step (sourced by packaging/demo with $VWB and $DEMO): show the planner's decision for this
# machine and for Kaggle's 2xT4, then train a small UNet3D on the CPU. The run goes to
# $DEMO/runs/demo, where the workbench's Viewer and Predictions pages look for it.
DEMO_RUN="$DEMO/runs/demo"
echo "== the planner's choice for this machine"
"$VWB" plan --data "$DEMO/data"
echo "== ... and what it would do on Kaggle's 2x T4"
"$VWB" plan --data "$DEMO/data" --assume-gpus 2xT4 | sed -n '1,4p'
if [ -f "$DEMO_RUN/checkpoints/best.pt" ]; then
  echo "== demo run already trained: $DEMO_RUN (delete it to train again)"
else
  echo "== training a small demo model (patch 32, 3 levels, base 8; about a minute on 2 cores)"
  rm -rf "$DEMO_RUN"
  "$VWB" train --data "$DEMO/data" --out "$DEMO_RUN" --patch 32 --levels 3 --base-channels 8 \
    --batch 4 --epochs 6 --steps-per-epoch 25 --lr 3e-3 --val-fraction 0.34 --seed 1
fi

# Demo step (sourced by packaging/demo with $VWB and $DEMO): predict the test volumes with the
# demo run's best checkpoint, write and verify submission.zip, and score the training volumes
# (seen in training, so the numbers are optimistic: they show the scorer, not generalization).
demo_checkpoint="$DEMO/run/checkpoints/best.pt"
if [ -f "$demo_checkpoint" ]; then
  echo "== predicting the test volumes with $demo_checkpoint"
  "$VWB" predict --checkpoint "$demo_checkpoint" --images "$DEMO/data/test_images" --out "$DEMO/pred" \
    --min-size 50
  echo "== writing $DEMO/submission.zip"
  "$VWB" export --pred "$DEMO/pred" --images "$DEMO/data/test_images" --csv "$DEMO/data/test.csv" \
    --out "$DEMO/submission.zip"
  echo "== scoring predictions of the training volumes against their labels"
  "$VWB" predict --checkpoint "$demo_checkpoint" --images "$DEMO/data/train_images" \
    --out "$DEMO/pred-train" --min-size 50
  "$VWB" score --pred "$DEMO/pred-train" --labels "$DEMO/data/train_labels"
else
  echo "== no checkpoint at $demo_checkpoint: skipping prediction, scoring and export"
fi

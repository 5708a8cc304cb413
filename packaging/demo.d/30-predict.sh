# Demo step (sourced by packaging/demo with $VWB, $DEMO and $DEMO_RUN): predict every volume with
# the demo run's best checkpoint into RUN/predictions (the layout the Predictions page reads),
# write and verify submission.zip, and score: the training volumes (seen in training, optimistic)
# and the synthetic test volumes against their held-out labels (unseen).
demo_checkpoint="$DEMO_RUN/checkpoints/best.pt"
if [ -f "$demo_checkpoint" ]; then
  pred="$DEMO_RUN/predictions"
  echo "== predicting every volume with $demo_checkpoint into $pred"
  # One run over both folders: a prediction folder holds one run's volumes (all or nothing).
  "$VWB" predict --checkpoint "$demo_checkpoint" --images "$DEMO/data/test_images" "$DEMO/data/train_images" \
    --out "$pred" --min-size 50
  echo "== writing $DEMO/submission.zip"
  "$VWB" export --pred "$pred" --images "$DEMO/data/test_images" --csv "$DEMO/data/test.csv" \
    --out "$DEMO/submission.zip"
  echo "== score of the training volumes (seen in training: optimistic)"
  "$VWB" score --pred "$pred" --labels "$DEMO/data/train_labels" --labeled-only
  if [ -d "$DEMO/data/test_labels" ]; then
    echo "== score of the test volumes against the held-out synthetic labels (unseen in training)"
    "$VWB" score --pred "$pred" --labels "$DEMO/data/test_labels" --labeled-only
  fi
else
  echo "== no checkpoint at $demo_checkpoint: skipping prediction, scoring and export"
fi

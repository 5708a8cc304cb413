#pragma once
// A small competition-layout dataset and run for the inspection tests, written with the
// engine's TIFF writer: labeled train volumes, test volumes, and saved probabilities in
// RUN/predictions/probabilities (so no network is needed to exercise scoring and export).
#include <QDir>
#include <QString>
#include <memory>

#include "../viewer/ViewerTestVolumes.h"
#include "engine/data/Dataset.h"
#include "engine/io/TiffVolume.h"
#include "ui/inspect/RunLocator.h"

namespace vwbtest {

struct InspectFixture {
  vwb::Dataset dataset;
  QString runDir;
  std::map<std::string, std::shared_ptr<vwb::VolumeU8>> probabilities, labels;

  // Volumes 'a', 'b' (labeled, different shapes) and test volumes 't1', 't2'.
  static InspectFixture write(const QString& root) {
    InspectFixture f;
    f.dataset.root = root.toStdString();
    f.runDir = root + "/run";
    for (const char* d : {"train_images", "train_labels", "test_images"}) QDir().mkpath(root + "/" + d);
    const std::string probDir = vwb::inspect::probabilityDir(f.runDir.toStdString());
    QDir().mkpath(QString::fromStdString(probDir));
    struct Spec { const char* id; vwb::Shape3 shape; bool labeled; };
    for (const Spec& s : {Spec{"a", {24, 40, 48}, true}, Spec{"b", {32, 32, 40}, true},
                          Spec{"t1", {24, 36, 36}, false}, Spec{"t2", {20, 30, 40}, false}}) {
      ViewerVolumesU8 v = makeSheetVolumes(s.shape);
      vwb::VolumeEntry e;
      e.id = s.id;
      e.shape = s.shape;
      e.imagePath = (root + (s.labeled ? "/train_images/" : "/test_images/") + s.id + ".tif").toStdString();
      vwb::writeVolumeU8(e.imagePath, *v.ct);
      if (s.labeled) {
        e.labelPath = (root + "/train_labels/" + s.id + ".tif").toStdString();
        vwb::writeVolumeU8(e.labelPath, *v.label);
        f.labels[s.id] = v.label;
        f.dataset.train.push_back(e);
      } else {
        f.dataset.test.push_back(e);
      }
      // Make 'b' a worse prediction than 'a': shift its probability by 3 voxels.
      if (std::string(s.id) == "b") {
        auto shifted = std::make_shared<vwb::VolumeU8>(s.shape);
        for (int64_t z = 0; z < s.shape.d; ++z)
          for (int64_t y = 3; y < s.shape.h; ++y)
            for (int64_t x = 0; x < s.shape.w; ++x) shifted->at(z, y, x) = v.probability->at(z, y - 3, x);
        v.probability = shifted;
      }
      vwb::writeVolumeU8(probDir + "/" + s.id + ".tif", *v.probability);
      f.probabilities[s.id] = v.probability;
    }
    return f;
  }
};

}  // namespace vwbtest

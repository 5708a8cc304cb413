#include "ui/inspect/InspectPages.h"

#include "ui/inspect/ViewerPage.h"
#if VWB_HAVE_PREDICTIONS
#include "ui/inspect/ExportPanel.h"
#include "ui/inspect/PredictionsPage.h"
#endif

namespace vwb::inspect {

void addInspectPages(ui::WorkbenchContext& context, const PageHost& host) {
  auto* viewer = new ViewerPage(context);
  host.addPage("viewer", QObject::tr("Viewer"), viewer, QIcon::fromTheme("camera-photo"));
#if VWB_HAVE_PREDICTIONS
  auto* predictions = new PredictionsPage(context);
  host.addPage("predictions", QObject::tr("Predictions"), predictions, QIcon::fromTheme("view-list-details"));
  host.addPage("export", QObject::tr("Export"), new ExportPanel(context), QIcon::fromTheme("document-save"));
  const auto showPage = host.showPage;
  QObject::connect(predictions, &PredictionsPage::viewRequested, viewer,
                   [viewer, showPage](const viewer::ViewerVolumes& volumes, double threshold) {
                     viewer->showVolumes(volumes, threshold);
                     showPage("viewer");
                   });
#endif
}

}  // namespace vwb::inspect

import { renderCard, type AdaptiveCardJson } from '../../cards/renderer';

import type { BulkCardAction, BulkPreviewView, BulkProgressView } from '../../cards/card-data';

export type { BulkCardAction, BulkPreviewView, BulkProgressView };

/**
 * Expands the bulk preview (confirmation) card through the shared renderer, which parses each
 * template once; this wrapper only pins the data to its type.
 */
export function renderBulkPreview(view: BulkPreviewView): AdaptiveCardJson {
  return renderCard('bulk-preview', view);
}

/**
 * Expands the bulk progress / final summary card through the shared renderer (parsed once, which
 * matters: progress cards of many concurrent jobs are rendered several times a second).
 */
export function renderBulkProgress(view: BulkProgressView): AdaptiveCardJson {
  return renderCard('bulk-progress', view);
}

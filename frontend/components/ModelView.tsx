"use client";

import { useEffect, useMemo, useRef } from "react";

/** The upload as sent, and the 32×32 image the model sees (antialiased downscale). */
export function ModelView({ file, heatmap, size = 32 }: { file: File; heatmap?: string; size?: number }) {
  const url = useMemo(() => URL.createObjectURL(file), [file]);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const image = new Image();
    image.onload = () => {
      const context = canvas.current?.getContext("2d");
      if (!context) return;
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = "high";
      context.drawImage(image, 0, 0, size, size);
    };
    image.src = url;
    return () => URL.revokeObjectURL(url);
  }, [url, size]);

  return (
    <div className="model-view">
      <figure>
        <div className="overlay-wrap">
          {/* eslint-disable-next-line @next/next/no-img-element */}
          {<img src={url} alt={file.name} className="original" />}
          {heatmap && (
            // eslint-disable-next-line @next/next/no-img-element
            <img src={`data:image/png;base64,${heatmap}`} alt="Grad-CAM heat map" className="heatmap-overlay" />
          )}
        </div>
        <figcaption>{heatmap ? "original + Grad-CAM" : "original"}</figcaption>
      </figure>
      <figure>
        <canvas ref={canvas} width={size} height={size} className="pixelated" aria-label="what the model sees" />
        <figcaption>{size}×{size} model input</figcaption>
      </figure>
    </div>
  );
}

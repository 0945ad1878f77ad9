import type { Metrics } from "@/lib/api";
import { percent } from "@/lib/shape";

/** Precision, recall, F1 and test images per class, in the model's class order. */
export function PerClassTable({ metrics }: { metrics: Pick<Metrics, "class_names" | "per_class"> }) {
  return (
    <div className="table-wrap per-class-wrap" tabIndex={0} role="region" aria-label="precision and recall per class">
      <table className="table numeric" data-testid="per-class-table">
        <thead>
          <tr><th scope="col">Class</th><th scope="col">Precision</th><th scope="col">Recall</th><th scope="col">F1</th>
            <th scope="col">Test images</th></tr>
        </thead>
        <tbody>
          {metrics.class_names.map((name) => {
            const scores = metrics.per_class[name];
            return (
              <tr key={name}>
                <th scope="row" className="class-name" title={name}>{name}</th>
                <td>{percent(scores?.precision)}</td>
                <td>{percent(scores?.recall)}</td>
                <td>{percent(scores?.f1)}</td>
                <td>{scores?.support?.toLocaleString() ?? "–"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

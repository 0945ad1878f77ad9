import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { JobProgress } from "@/components/JobProgress";
import { TrainStep } from "@/components/classifiers/TrainStep";
import type { Job } from "@/lib/api";
import { jobOutcome } from "@/lib/jobs";

import { fakeApi, json, renderFresh } from "./support";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function job(overrides: Partial<Job>): Job {
  return {
    job_id: "job-1", status: "running", progress: 0.4, epoch: 2, epochs: 5, accuracy: 0.81, loss: 0.5, eta_seconds: 75,
    message: "epoch 2/5", created_at: "2026-01-01T00:00:00Z", started_at: "2026-01-01T00:00:01Z", finished_at: null,
    model_version: null, promoted: null, ...overrides,
  } as Job;
}

const PETS = { name: "pets", last_job: null, training_images: 40 };
const BASE = "/api/classifiers/pets";

describe("JobProgress", () => {
  it("shows status, epoch of epochs, accuracy, time left, the bar and the message", () => {
    renderFresh(<JobProgress job={job({})} />);
    expect(screen.getByTestId("job-status")).toHaveTextContent("running");
    expect(screen.getByTestId("job-epoch")).toHaveTextContent("2/5");
    expect(screen.getByTestId("job-accuracy")).toHaveTextContent("81.0%");
    expect(screen.getByText("1m 15s")).toBeInTheDocument();
    const bar = screen.getByRole("progressbar", { name: "training progress" });
    expect(bar).toHaveAttribute("aria-valuenow", "40");
    expect(bar).toHaveAttribute("aria-valuetext", "40%, epoch 2 of 5");
    expect(screen.getByTestId("job-message")).toHaveTextContent("epoch 2/5");
  });

  it("shows no time left once the job has ended", () => {
    renderFresh(<JobProgress job={job({ status: "completed", progress: 1, promoted: true })} />);
    expect(screen.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");
    expect(screen.queryByText("1m 15s")).not.toBeInTheDocument();
  });
});

describe("jobOutcome", () => {
  it("tells a live model from one the gate turned away", () => {
    expect(jobOutcome({ status: "running", promoted: null })).toBe("running");
    expect(jobOutcome({ status: "completed", promoted: true })).toBe("promoted");
    expect(jobOutcome({ status: "completed", promoted: false })).toBe("not-promoted");
    expect(jobOutcome({ status: "rejected", promoted: false })).toBe("not-promoted");
    expect(jobOutcome({ status: "failed", promoted: null })).toBe("failed");
  });
});

describe("TrainStep", () => {
  it("shows the API's too_few_images refusal, naming the class and its count", async () => {
    const detail = "Class 'dogs' has 4 images; at least 10 are needed.";
    fakeApi({ [`POST ${BASE}/retrain`]: () => json(422, { detail, code: "too_few_images" }) });
    renderFresh(<TrainStep token="t" classifier={PETS} onLive={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Train" }));
    const error = await screen.findByTestId("train-error");
    expect(error).toHaveTextContent(`Not enough images to train yet: ${detail} Add more above, then train again.`);
    expect(screen.getByRole("button", { name: "Train" })).toBeEnabled();
  });

  it("follows the job every second and hands over when it goes live", async () => {
    const answers = [job({ progress: 0.2, epoch: 1 }), job({ progress: 0.6, epoch: 3 }),
      job({ status: "completed", progress: 1, epoch: 5, promoted: true, model_version: "v1", message: "promoted v1" })];
    const fake = fakeApi({
      [`POST ${BASE}/retrain`]: () => json(202, { job_id: "job-1", status: "queued" }),
      [`GET ${BASE}/retrain/job-1`]: () => json(200, answers.length > 1 ? answers.shift() : answers[0]),
    });
    const onLive = vi.fn();
    renderFresh(<TrainStep token="secret" classifier={PETS} onLive={onLive} />);
    fireEvent.click(screen.getByRole("button", { name: "Train" }));

    expect(await screen.findByTestId("job-epoch")).toHaveTextContent("1/5");
    expect(screen.getByRole("button", { name: "Training…" })).toBeDisabled();
    await waitFor(() => expect(screen.getByTestId("job-epoch")).toHaveTextContent("3/5"), { timeout: 3000 });
    await waitFor(() => expect(onLive).toHaveBeenCalledOnce(), { timeout: 3000 });
    expect(screen.getByTestId("job-message")).toHaveTextContent("promoted v1");
    const polls = fake.paths().filter((p) => p === `GET ${BASE}/retrain/job-1`).length;
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(fake.paths().filter((p) => p === `GET ${BASE}/retrain/job-1`).length).toBe(polls); // stopped polling
    expect(onLive).toHaveBeenCalledOnce();
  }, 10000);

  it("says why the gate turned the version away and lets the person train again", async () => {
    fakeApi({
      [`GET ${BASE}/retrain/job-9`]: () => json(200, job({
        job_id: "job-9", status: "rejected", progress: 1, promoted: false,
        message: "accuracy 0.55 on held-out images is under the gate's 0.70",
      })),
    });
    const onLive = vi.fn();
    const running = { ...PETS, last_job: { id: "job-9", status: "running" as const, created_at: "2026-01-01T00:00:00Z", finished_at: null, message: "", promoted: null } };
    renderFresh(<TrainStep token="t" classifier={running} onLive={onLive} />);
    const outcome = await screen.findByTestId("train-outcome");
    expect(outcome).toHaveTextContent("Not live: the gate turned this version away.");
    expect(outcome).toHaveTextContent("accuracy 0.55 on held-out images is under the gate's 0.70");
    expect(outcome).toHaveTextContent("Your images are kept");
    expect(screen.getByRole("button", { name: "Train again" })).toBeEnabled();
    expect(onLive).not.toHaveBeenCalled();
  });
});

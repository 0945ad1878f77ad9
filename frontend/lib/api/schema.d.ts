/**
 * The Sightline API's types, generated from docs/openapi.json by `npm run gen:api`.
 * Do not edit by hand: change the API, run `make openapi`, then `npm run gen:api`.
 */

export interface paths {
    "/api/classifiers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Classifiers
         * @description Every classifier, active ones first, with its production version, accuracy,
         *     answers today and last training.
         */
        get: operations["list_classifiers_api_classifiers_get"];
        put?: never;
        /**
         * Create Classifier
         * @description Make a classifier: then add labelled images (``.../training-data``) and train it
         *     (``.../retrain``); it answers once its first version passes the gate.
         */
        post: operations["create_classifier_api_classifiers_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Classifier */
        get: operations["get_classifier_api_classifiers__classifier__get"];
        put?: never;
        post?: never;
        /**
         * Delete Classifier
         * @description Archive a classifier: it answers no more; its history, versions and data stay
         *     readable and exportable. With ``purge=true`` they are removed (204).
         */
        delete: operations["delete_classifier_api_classifiers__classifier__delete"];
        options?: never;
        head?: never;
        /**
         * Change Classifier
         * @description Change a classifier's settings: today its review policy (``{"review":
         *     {"keep_uncertain": true, "audit_rate": 0.01, "retention_days": 30, "max_items":
         *     10000, "auto_retrain_after": null}}``; the fields sent change, the rest stay).
         */
        patch: operations["change_classifier_api_classifiers__classifier__patch"];
        trace?: never;
    };
    "/api/classifiers/{classifier}/dataset-stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Dataset Statistics
         * @description Images per class: training and test data of the production model, and uploads.
         */
        get: operations["dataset_statistics_api_classifiers__classifier__dataset_stats_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/explain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Explain
         * @description The prediction plus a Grad-CAM heat map (base64 PNG at the upload's size).
         */
        post: operations["explain_api_classifiers__classifier__explain_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/live-accuracy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live Accuracy
         * @description Production accuracy from the audit sample's labels (95% Wilson interval), per
         *     day and over the window; the accuracy of the answers the model doubted; and the
         *     production version's test-split accuracy beside them.
         */
        get: operations["live_accuracy_api_classifiers__classifier__live_accuracy_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metrics
         * @description The production model's evaluation on its test split, with training history.
         */
        get: operations["metrics_api_classifiers__classifier__metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Models
         * @description Every model version, newest first; exactly one is production.
         */
        get: operations["list_models_api_classifiers__classifier__models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/models/{version}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export Version
         * @description A version as a SavedModel, ONNX or OpenVINO IR, zipped with its card: raw 0-255
         *     pixels (N, H, W, 3) in, probabilities out. 501 when the converter is not installed.
         */
        get: operations["export_version_api_classifiers__classifier__models__version__export_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/models/{version}/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Promote
         * @description Make a version production (roll back or forward). Every replica serves it
         *     within the model poll interval; this one swaps before answering.
         */
        post: operations["promote_api_classifiers__classifier__models__version__promote_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/monitoring": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Monitoring
         * @description Request rate, latency, errors, predicted classes, confidence, drift and system
         *     figures over the window, from the shared history (the same on every replica).
         */
        get: operations["monitoring_api_classifiers__classifier__monitoring_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict
         * @description Classify one image. The answer is sent once it is recorded in the prediction
         *     history (503 with Retry-After if it cannot be).
         */
        post: operations["predict_api_classifiers__classifier__predict_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/predict/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict Batch
         * @description Classify several images; a bad file gets its own error, the others their answers.
         */
        post: operations["predict_batch_api_classifiers__classifier__predict_batch_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/predictions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Predictions
         * @description The prediction history, newest first, a keyset page at a time: follow
         *     ``next_cursor`` and a page deep in the history costs what the first one does.
         *     ``total`` is a maintained counter, not a count of the table.
         */
        get: operations["predictions_api_classifiers__classifier__predictions_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/predictions/{prediction_id}/feedback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Feedback
         * @description Report an answer as wrong (optionally with what the image shows): it joins the
         *     review queue. Works while its image is kept: answers the review policy kept, and
         *     any answer for a few minutes after it, on the server that gave it (409 otherwise).
         */
        post: operations["feedback_api_classifiers__classifier__predictions__prediction_id__feedback_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/retrain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retrain
         * @description Queue a training job for the classifier; a worker runs it. A classifier with no
         *     version yet trains from its parent (422 naming any class with too few images);
         *     later jobs retrain its production model on what is new. 409 while it has a job
         *     queued or running (other classifiers train meanwhile).
         */
        post: operations["retrain_api_classifiers__classifier__retrain_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/retrain-status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Retrain Status
         * @description The latest retraining job.
         */
        get: operations["retrain_status_api_classifiers__classifier__retrain_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/retrain/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retrain Job */
        get: operations["retrain_job_api_classifiers__classifier__retrain__job_id__get"];
        put?: never;
        post?: never;
        /**
         * Cancel Job
         * @description Cancel a queued job now, or a running one at its next training step.
         */
        delete: operations["cancel_job_api_classifiers__classifier__retrain__job_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/review": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Next Items
         * @description The next items to label (pending ones, then skipped ones), with counts per
         *     predicted class, per reason and per state.
         */
        get: operations["next_items_api_classifiers__classifier__review_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/review/undo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Undo
         * @description Undo this token's most recent decision (again: the one before, and so on): the
         *     item is pending again and the training image it added is removed.
         */
        post: operations["undo_api_classifiers__classifier__review_undo_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/review/{item_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Decide
         * @description Label an item (``{"label": "<class>"}``: a training image), call it none of the
         *     classes (``{"label": null}``: the out-of-class set) or skip it (``{"skip": true}``).
         *     The same decision twice changes nothing (200, ``repeated``).
         */
        post: operations["decide_api_classifiers__classifier__review__item_id__post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/review/{item_id}/explain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Item Explanation
         * @description The Grad-CAM heat map of the item's image for a class, by the model serving now.
         */
        get: operations["item_explanation_api_classifiers__classifier__review__item_id__explain_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/review/{item_id}/image": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Item Image
         * @description The item's image as it was sent, with cache headers (it never changes).
         */
        get: operations["item_image_api_classifiers__classifier__review__item_id__image_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/training-data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add Training Data
         * @description Add labelled images: images of ``class_name``, or zips laid out ``<class>/<image>``
         *     or ``train/<class>/<image>`` with an optional ``test/<class>/<image>``. New class
         *     names become the classifier's classes. Without a test/ folder a stratified share of
         *     each class is held out for evaluation. Duplicates, the same image under two classes
         *     and unreadable files are reported per file; a zip without class folders is refused
         *     (422 ``no_class_folders``) and nothing of the upload is stored.
         */
        post: operations["add_training_data_api_classifiers__classifier__training_data_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/classifiers/{classifier}/upload-training-data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload Training Data
         * @description Add labelled images of the production model's classes (POST /training-data also
         *     takes new classes and train/test folders). Each file is checked with the serving
         *     decoder and stored by its content hash; duplicates and bad files are reported.
         */
        post: operations["upload_training_data_api_classifiers__classifier__upload_training_data_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/dataset-stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Dataset Statistics
         * @description Images per class: training and test data of the production model, and uploads.
         */
        get: operations["dataset_statistics_api_dataset_stats_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/explain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Explain
         * @description The prediction plus a Grad-CAM heat map (base64 PNG at the upload's size).
         */
        post: operations["explain_api_explain_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/live-accuracy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live Accuracy
         * @description Production accuracy from the audit sample's labels (95% Wilson interval), per
         *     day and over the window; the accuracy of the answers the model doubted; and the
         *     production version's test-split accuracy beside them.
         */
        get: operations["live_accuracy_api_live_accuracy_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metrics
         * @description The production model's evaluation on its test split, with training history.
         */
        get: operations["metrics_api_metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Models
         * @description Every model version, newest first; exactly one is production.
         */
        get: operations["list_models_api_models_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{version}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Export Version
         * @description A version as a SavedModel, ONNX or OpenVINO IR, zipped with its card: raw 0-255
         *     pixels (N, H, W, 3) in, probabilities out. 501 when the converter is not installed.
         */
        get: operations["export_version_api_models__version__export_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models/{version}/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Promote
         * @description Make a version production (roll back or forward). Every replica serves it
         *     within the model poll interval; this one swaps before answering.
         */
        post: operations["promote_api_models__version__promote_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/monitoring": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Monitoring
         * @description Request rate, latency, errors, predicted classes, confidence, drift and system
         *     figures over the window, from the shared history (the same on every replica).
         */
        get: operations["monitoring_api_monitoring_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict
         * @description Classify one image. The answer is sent once it is recorded in the prediction
         *     history (503 with Retry-After if it cannot be).
         */
        post: operations["predict_api_predict_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/predict/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict Batch
         * @description Classify several images; a bad file gets its own error, the others their answers.
         */
        post: operations["predict_batch_api_predict_batch_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/predictions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Predictions
         * @description The prediction history, newest first, a keyset page at a time: follow
         *     ``next_cursor`` and a page deep in the history costs what the first one does.
         *     ``total`` is a maintained counter, not a count of the table.
         */
        get: operations["predictions_api_predictions_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/predictions/{prediction_id}/feedback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Feedback
         * @description Report an answer as wrong (optionally with what the image shows): it joins the
         *     review queue. Works while its image is kept: answers the review policy kept, and
         *     any answer for a few minutes after it, on the server that gave it (409 otherwise).
         */
        post: operations["feedback_api_predictions__prediction_id__feedback_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/retrain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retrain
         * @description Queue a training job for the classifier; a worker runs it. A classifier with no
         *     version yet trains from its parent (422 naming any class with too few images);
         *     later jobs retrain its production model on what is new. 409 while it has a job
         *     queued or running (other classifiers train meanwhile).
         */
        post: operations["retrain_api_retrain_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/retrain-status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Retrain Status
         * @description The latest retraining job.
         */
        get: operations["retrain_status_api_retrain_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/retrain/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Retrain Job */
        get: operations["retrain_job_api_retrain__job_id__get"];
        put?: never;
        post?: never;
        /**
         * Cancel Job
         * @description Cancel a queued job now, or a running one at its next training step.
         */
        delete: operations["cancel_job_api_retrain__job_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/review": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Next Items
         * @description The next items to label (pending ones, then skipped ones), with counts per
         *     predicted class, per reason and per state.
         */
        get: operations["next_items_api_review_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/review/undo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Undo
         * @description Undo this token's most recent decision (again: the one before, and so on): the
         *     item is pending again and the training image it added is removed.
         */
        post: operations["undo_api_review_undo_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/review/{item_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Decide
         * @description Label an item (``{"label": "<class>"}``: a training image), call it none of the
         *     classes (``{"label": null}``: the out-of-class set) or skip it (``{"skip": true}``).
         *     The same decision twice changes nothing (200, ``repeated``).
         */
        post: operations["decide_api_review__item_id__post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/review/{item_id}/explain": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Item Explanation
         * @description The Grad-CAM heat map of the item's image for a class, by the model serving now.
         */
        get: operations["item_explanation_api_review__item_id__explain_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/review/{item_id}/image": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Item Image
         * @description The item's image as it was sent, with cache headers (it never changes).
         */
        get: operations["item_image_api_review__item_id__image_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Status */
        get: operations["status_api_status_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/training-data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Add Training Data
         * @description Add labelled images: images of ``class_name``, or zips laid out ``<class>/<image>``
         *     or ``train/<class>/<image>`` with an optional ``test/<class>/<image>``. New class
         *     names become the classifier's classes. Without a test/ folder a stratified share of
         *     each class is held out for evaluation. Duplicates, the same image under two classes
         *     and unreadable files are reported per file; a zip without class folders is refused
         *     (422 ``no_class_folders``) and nothing of the upload is stored.
         */
        post: operations["add_training_data_api_training_data_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/upload-training-data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload Training Data
         * @description Add labelled images of the production model's classes (POST /training-data also
         *     takes new classes and train/test folders). Each file is checked with the serving
         *     decoder and stored by its content hash; duplicates and bad files are reported.
         */
        post: operations["upload_training_data_api_upload_training_data_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Health
         * @description Liveness and readiness: 503 until a model is loaded.
         */
        get: operations["health_health_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus Metrics
         * @description Prometheus text format, summed over every API process and the worker.
         */
        get: operations["prometheus_metrics_metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** BatchItemErrorOut */
        BatchItemErrorOut: {
            error: components["schemas"]["ErrorOut"];
            /** Filename */
            filename: string | null;
        };
        /** BatchItemOut */
        BatchItemOut: {
            /**
             * Confidence
             * @example 0.93
             */
            confidence: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Filename */
            filename: string | null;
            /**
             * Id
             * @example 3f2a9c0d1e2b4a5f8c7d6e5f4a3b2c1d
             */
            id: string;
            /**
             * Model Version
             * @example v1
             */
            model_version: string;
            /**
             * Prediction
             * @example cat
             */
            prediction: string;
            /**
             * Probabilities
             * @example {
             *       "airplane": 0.01,
             *       "cat": 0.93,
             *       "dog": 0.06
             *     }
             */
            probabilities: {
                [key: string]: number;
            };
            /**
             * Time Ms
             * @example 4.2
             */
            time_ms: number;
            /** Top K */
            top_k: components["schemas"]["TopKOut"][];
            /** Uncertain */
            uncertain: boolean;
        };
        /** BatchOut */
        BatchOut: {
            /** Results */
            results: (components["schemas"]["BatchItemOut"] | components["schemas"]["BatchItemErrorOut"])[];
        };
        /** Body_add_training_data_api_classifiers__classifier__training_data_post */
        Body_add_training_data_api_classifiers__classifier__training_data_post: {
            /**
             * Files
             * @description Images of one class, or .zip files of class folders
             */
            files: Blob[];
        };
        /** Body_add_training_data_api_training_data_post */
        Body_add_training_data_api_training_data_post: {
            /**
             * Files
             * @description Images of one class, or .zip files of class folders
             */
            files: Blob[];
        };
        /** Body_explain_api_classifiers__classifier__explain_post */
        Body_explain_api_classifiers__classifier__explain_post: {
            /**
             * File
             * @description An image to classify and explain
             */
            file: Blob;
        };
        /** Body_explain_api_explain_post */
        Body_explain_api_explain_post: {
            /**
             * File
             * @description An image to classify and explain
             */
            file: Blob;
        };
        /** Body_predict_api_classifiers__classifier__predict_post */
        Body_predict_api_classifiers__classifier__predict_post: {
            /**
             * File
             * @description An image: JPEG, PNG, GIF, BMP, TIFF, WebP...
             */
            file: Blob;
        };
        /** Body_predict_api_predict_post */
        Body_predict_api_predict_post: {
            /**
             * File
             * @description An image: JPEG, PNG, GIF, BMP, TIFF, WebP...
             */
            file: Blob;
        };
        /** Body_predict_batch_api_classifiers__classifier__predict_batch_post */
        Body_predict_batch_api_classifiers__classifier__predict_batch_post: {
            /**
             * Files
             * @description 1 to 64 images
             */
            files: Blob[];
        };
        /** Body_predict_batch_api_predict_batch_post */
        Body_predict_batch_api_predict_batch_post: {
            /**
             * Files
             * @description 1 to 64 images
             */
            files: Blob[];
        };
        /** Body_upload_training_data_api_classifiers__classifier__upload_training_data_post */
        Body_upload_training_data_api_classifiers__classifier__upload_training_data_post: {
            /**
             * Files
             * @description Images of one class, or .zip files whose top folders are class names
             */
            files: Blob[];
        };
        /** Body_upload_training_data_api_upload_training_data_post */
        Body_upload_training_data_api_upload_training_data_post: {
            /**
             * Files
             * @description Images of one class, or .zip files whose top folders are class names
             */
            files: Blob[];
        };
        /** ClassifierIn */
        ClassifierIn: {
            /**
             * Classes
             * @example [
             *       "cat",
             *       "dog"
             *     ]
             */
            classes?: string[];
            /**
             * Name
             * @description 1-40 lowercase letters, digits and hyphens, starting and ending with a letter or digit; it goes in URLs and cannot change
             * @example cats-vs-dogs
             */
            name: string;
            /**
             * Parent
             * @description What its first training starts from: a classifier's production model, "auto" (the best local start for its images) or null (from scratch)
             * @default auto
             * @example cifar10
             */
            parent: string | null;
        };
        /** ClassifierListOut */
        ClassifierListOut: {
            /**
             * Default
             * @description What the unscoped routes serve
             * @example cifar10
             */
            default: string;
            /** Items */
            items: components["schemas"]["ClassifierOut"][];
        };
        /** ClassifierOut */
        ClassifierOut: {
            /**
             * Accuracy
             * @description The production version's test accuracy
             */
            accuracy?: number | null;
            /** Archived At */
            archived_at?: string | null;
            /** Classes */
            classes: string[];
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Is Default */
            is_default: boolean;
            last_job: components["schemas"]["LastJobOut"] | null;
            /**
             * Name
             * @example cifar10
             */
            name: string;
            /** Parent */
            parent: string | null;
            /**
             * Predictions Today
             * @description Answers since 00:00 UTC
             */
            predictions_today: number;
            /** Production Version */
            production_version: string | null;
            /** @description What answers are kept for review */
            review?: components["schemas"]["ReviewPolicy"];
            /**
             * Stage
             * @description live: a version answers; training: its first job is queued or running
             * @enum {string}
             */
            stage: "live" | "training" | "untrained";
            /**
             * Status
             * @enum {string}
             */
            status: "active" | "archived";
            /** Training Images */
            training_images: number;
        };
        /**
         * ClassifierPatchIn
         * @description A change to a classifier's settings: the fields sent change, the rest stay.
         */
        ClassifierPatchIn: {
            /**
             * @description Review policy fields to change
             * @example {
             *       "audit_rate": 0.01,
             *       "keep_uncertain": true,
             *       "retention_days": 30
             *     }
             */
            review?: components["schemas"]["ReviewPolicyPatch"] | null;
        };
        /** ConfidenceOut */
        ConfidenceOut: {
            /** Mean */
            mean: number | null;
            /** Series */
            series: components["schemas"]["ConfidencePointOut"][];
        };
        /** ConfidencePointOut */
        ConfidencePointOut: {
            /** Mean */
            mean: number;
            /** N */
            n: number;
            /**
             * T
             * Format: date-time
             */
            t: string;
        };
        /** DatasetStatsOut */
        DatasetStatsOut: {
            /** Classes */
            classes: string[];
            /** Dataset */
            dataset: string;
            /** Test */
            test: {
                [key: string]: number;
            };
            /** Total */
            total: number;
            /** Train */
            train: {
                [key: string]: number;
            };
            /** Uploads */
            uploads: {
                [key: string]: number;
            };
        };
        /** DriftOut */
        DriftOut: {
            /** Class Psi */
            class_psi: number | null;
            /** Confidence Psi */
            confidence_psi: number | null;
            /** Detected */
            detected: boolean;
            /** Method */
            method: string;
            /** Min Predictions */
            min_predictions: number;
            /** Reason */
            reason?: string | null;
            /** Threshold */
            threshold: number;
            /** Window N */
            window_n: number;
        };
        /** ErrorOut */
        ErrorOut: {
            /**
             * Code
             * @example unsupported_image
             */
            code: string;
            /**
             * Detail
             * @example The file is not an image Sightline can read.
             */
            detail: string;
        };
        /** EstimateOut */
        EstimateOut: {
            /** Accuracy */
            accuracy: number | null;
            /** Correct */
            correct: number;
            /** High */
            high: number | null;
            /** Labelled */
            labelled: number;
            /**
             * Low
             * @description 95% Wilson interval
             */
            low: number | null;
        };
        /** EvaluatedOn */
        EvaluatedOn: {
            /** Dataset */
            dataset: string;
            /** N */
            n: number;
        };
        /** ExplainOut */
        ExplainOut: {
            /**
             * Confidence
             * @example 0.93
             */
            confidence: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Heatmap Png
             * @description Grad-CAM heat map, base64 PNG at the upload's size
             */
            heatmap_png: string;
            /**
             * Id
             * @example 3f2a9c0d1e2b4a5f8c7d6e5f4a3b2c1d
             */
            id: string;
            /**
             * Model Version
             * @example v1
             */
            model_version: string;
            /**
             * Prediction
             * @example cat
             */
            prediction: string;
            /**
             * Probabilities
             * @example {
             *       "airplane": 0.01,
             *       "cat": 0.93,
             *       "dog": 0.06
             *     }
             */
            probabilities: {
                [key: string]: number;
            };
            /**
             * Time Ms
             * @example 4.2
             */
            time_ms: number;
            /** Top K */
            top_k: components["schemas"]["TopKOut"][];
            /** Uncertain */
            uncertain: boolean;
        };
        /** FeedbackIn */
        FeedbackIn: {
            /**
             * Label
             * @description What the image shows, if the client knows
             */
            label?: string | null;
        };
        /** FeedbackOut */
        FeedbackOut: {
            /** Item Id */
            item_id: string;
            /**
             * Status
             * @enum {string}
             */
            status: "queued" | "already_queued";
        };
        /** HTTPValidationError */
        HTTPValidationError: {
            /** Detail */
            detail?: components["schemas"]["ValidationError"][];
        };
        /** HealthOut */
        HealthOut: {
            /** Model Loaded */
            model_loaded: boolean;
            /**
             * Model Version
             * @example v1
             */
            model_version: string | null;
            /**
             * Status
             * @example ok
             * @enum {string}
             */
            status: "ok" | "unavailable";
        };
        /** JobOut */
        JobOut: {
            /** Accuracy */
            accuracy?: number | null;
            /** Base Version */
            base_version?: string | null;
            /**
             * Classifier
             * @example cifar10
             */
            classifier: string;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Epoch */
            epoch: number;
            /** Epochs */
            epochs: number;
            /** Eta Seconds */
            eta_seconds?: number | null;
            /** Finished At */
            finished_at: string | null;
            /** History */
            history?: {
                [key: string]: (number | null)[];
            };
            /** Job Id */
            job_id: string;
            /** Loss */
            loss?: number | null;
            /** Message */
            message: string;
            metrics?: components["schemas"]["JobScoresOut"];
            /** Model Version */
            model_version: string | null;
            /** Params */
            params?: {
                [key: string]: components["schemas"]["JsonValue"];
            };
            /** Progress */
            progress: number;
            /** Promoted */
            promoted: boolean | null;
            /** Started At */
            started_at: string | null;
            /** @example running */
            status: components["schemas"]["JobStatus"];
            /**
             * Step
             * @default 0
             */
            step: number;
            /**
             * Total Steps
             * @default 0
             */
            total_steps: number;
        };
        /** JobScoresOut */
        JobScoresOut: {
            candidate?: components["schemas"]["ModelScoresOut"] | null;
            production?: components["schemas"]["ModelScoresOut"] | null;
        };
        /**
         * JobStatus
         * @description A retraining job's status: queued, then running, then one of the final four.
         * @enum {string}
         */
        JobStatus: "queued" | "running" | "completed" | "rejected" | "failed" | "cancelled";
        JsonValue: unknown;
        /** LastJobOut */
        LastJobOut: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Finished At */
            finished_at: string | null;
            /** Id */
            id: string;
            /** Message */
            message: string;
            /** Promoted */
            promoted: boolean | null;
            status: components["schemas"]["JobStatus"];
        };
        /** LiveAccuracyDayOut */
        LiveAccuracyDayOut: {
            audit: components["schemas"]["EstimateOut"];
            /**
             * Day
             * @description UTC day the answers were given
             * @example 2026-12-05
             */
            day: string;
            uncertain: components["schemas"]["EstimateOut"];
        };
        /** LiveAccuracyOut */
        LiveAccuracyOut: {
            /** @description The audit sample: an unbiased production accuracy */
            audit: components["schemas"]["EstimateOut"];
            /** Days */
            days: number;
            /**
             * None Of These
             * @description Audit images that were none of the classes (wrong)
             */
            none_of_these: number;
            /** Per Day */
            per_day: components["schemas"]["LiveAccuracyDayOut"][];
            /** Production Version */
            production_version: string | null;
            /**
             * Test Accuracy
             * @description The production version's test split
             */
            test_accuracy: number | null;
            /** @description The answers the model doubted */
            uncertain: components["schemas"]["EstimateOut"];
        };
        /** Machine */
        Machine: {
            /** Backend */
            backend?: string | null;
            /** Cores */
            cores?: number | null;
            /** Cpu */
            cpu?: string | null;
            /** Keras */
            keras?: string | null;
            /** Python */
            python?: string | null;
            /** System */
            system?: string | null;
        };
        /**
         * Metrics
         * @description The evaluation on the training dataset's test split (``ml.evaluation``).
         */
        Metrics: {
            /**
             * Accuracy
             * @example 0.94
             */
            accuracy: number;
            /** Class Names */
            class_names: string[];
            /** Confusion Matrix */
            confusion_matrix: number[][];
            evaluated_on: components["schemas"]["EvaluatedOn"];
            /** F1 */
            f1: number;
            /** Per Class */
            per_class: {
                [key: string]: components["schemas"]["PerClassMetrics"];
            };
            /** Precision */
            precision: number;
            /** Recall */
            recall: number;
            /** Roc Auc */
            roc_auc?: number | null;
        };
        /**
         * MetricsOut
         * @description The production model's card: its evaluation, training curves and recipe.
         */
        MetricsOut: {
            /**
             * Accuracy
             * @example 0.94
             */
            accuracy: number;
            /** Class Names */
            class_names: string[];
            /** Confusion Matrix */
            confusion_matrix: number[][];
            evaluated_on: components["schemas"]["EvaluatedOn"];
            /** F1 */
            f1: number;
            /** History */
            history: {
                [key: string]: (number | null)[];
            };
            /** Model Version */
            model_version: string;
            /** Per Class */
            per_class: {
                [key: string]: components["schemas"]["PerClassMetrics"];
            };
            /** Precision */
            precision: number;
            /** Recall */
            recall: number;
            /** Roc Auc */
            roc_auc?: number | null;
            training?: components["schemas"]["TrainingSummaryOut"] | null;
            uncertainty?: components["schemas"]["Uncertainty"] | null;
        };
        /** ModelListOut */
        ModelListOut: {
            /** Items */
            items: components["schemas"]["ModelOut"][];
            /** Production */
            production: string | null;
        };
        /** ModelOut */
        ModelOut: {
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** @description None for a model saved without evaluation */
            metrics: components["schemas"]["Metrics"] | null;
            /** Note */
            note?: string | null;
            /** Parent */
            parent: string | null;
            /** Promoted At */
            promoted_at?: string | null;
            /**
             * Source
             * @description shipped or retrained
             * @example shipped
             * @enum {string}
             */
            source: "shipped" | "retrained";
            /**
             * Status
             * @example production
             * @enum {string}
             */
            status: "production" | "candidate" | "rejected" | "archived";
            trained_on: components["schemas"]["TrainedOnOut"];
            /** Version */
            version: string;
        };
        /**
         * ModelScoresOut
         * @description One model's scores in a retraining job (the full report goes in its card).
         */
        ModelScoresOut: {
            /** Accuracy */
            accuracy?: number | null;
            /** All Uploads Accuracy */
            all_uploads_accuracy?: number | null;
            /** All Uploads N */
            all_uploads_n?: number | null;
            /** F1 */
            f1?: number | null;
            /**
             * Out Of Class Flagged
             * @description Per kind of generated image of none of the classes (noise, flat colour, text), the share the model flags uncertain at its own threshold.
             * @example {
             *       "flat colour": 0.88,
             *       "noise": 1,
             *       "text": 0.97
             *     }
             */
            out_of_class_flagged?: {
                [key: string]: number;
            } | null;
            /** Per Class */
            per_class?: {
                [key: string]: number;
            } | null;
            /** Precision */
            precision?: number | null;
            /** Recall */
            recall?: number | null;
            /** Test N */
            test_n?: number | null;
            /** Uploaded Classes */
            uploaded_classes?: string[] | null;
            /** Uploaded Classes Test Accuracy */
            uploaded_classes_test_accuracy?: number | null;
            /** Uploads Accuracy */
            uploads_accuracy?: number | null;
            /** Uploads N */
            uploads_n?: number | null;
        };
        /**
         * MonitoringOut
         * @description Figures over a time window, from the shared history (the same on every replica).
         */
        MonitoringOut: {
            /**
             * Bucket Seconds
             * @description Width of a series bucket: whole minutes, at most 30 buckets
             * @default 60
             */
            bucket_seconds: number;
            /** Class Distribution */
            class_distribution: {
                [key: string]: number;
            };
            confidence: components["schemas"]["ConfidenceOut"];
            drift: components["schemas"]["DriftOut"];
            /** Errors */
            errors: number;
            latency_ms: components["schemas"]["PercentilesOut"];
            model_time_ms: components["schemas"]["PercentilesOut"];
            /** Predictions */
            predictions: number;
            /** Predictions Total */
            predictions_total: number;
            /** Requests */
            requests: number;
            /** Rps */
            rps: number;
            /** Series */
            series: components["schemas"]["RequestPointOut"][];
            /** Server Errors */
            server_errors: number;
            system: components["schemas"]["SystemOut"];
            /** Window Seconds */
            window_seconds: number;
        };
        /** PerClassMetrics */
        PerClassMetrics: {
            /** Accuracy */
            accuracy: number;
            /** F1 */
            f1: number;
            /** Precision */
            precision: number;
            /** Recall */
            recall: number;
            /** Support */
            support: number;
        };
        /** PercentilesOut */
        PercentilesOut: {
            /** P50 */
            p50: number | null;
            /** P95 */
            p95: number | null;
            /** P99 */
            p99: number | null;
        };
        /** PredictionOut */
        PredictionOut: {
            /**
             * Confidence
             * @example 0.93
             */
            confidence: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Id
             * @example 3f2a9c0d1e2b4a5f8c7d6e5f4a3b2c1d
             */
            id: string;
            /**
             * Model Version
             * @example v1
             */
            model_version: string;
            /**
             * Prediction
             * @example cat
             */
            prediction: string;
            /**
             * Probabilities
             * @example {
             *       "airplane": 0.01,
             *       "cat": 0.93,
             *       "dog": 0.06
             *     }
             */
            probabilities: {
                [key: string]: number;
            };
            /**
             * Time Ms
             * @example 4.2
             */
            time_ms: number;
            /** Top K */
            top_k: components["schemas"]["TopKOut"][];
            /** Uncertain */
            uncertain: boolean;
        };
        /** PredictionPageOut */
        PredictionPageOut: {
            /** Items */
            items: components["schemas"]["PredictionSummaryOut"][];
            /** Limit */
            limit: number;
            /**
             * Next Cursor
             * @description Pass as `cursor` for the next (older) page; null on the last page.
             */
            next_cursor?: string | null;
            /** Offset */
            offset: number;
            /**
             * Total
             * @description Predictions stored (a maintained counter).
             */
            total: number;
        };
        /**
         * PredictionSummaryOut
         * @description A prediction as the history lists it (without its probabilities).
         */
        PredictionSummaryOut: {
            /** Confidence */
            confidence: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /** Filename */
            filename?: string | null;
            /** Id */
            id: string;
            /** Model Version */
            model_version: string;
            /** Prediction */
            prediction: string;
            /** Time Ms */
            time_ms: number;
            /** Uncertain */
            uncertain: boolean;
        };
        /**
         * RequestPointOut
         * @description One bucket of the window (``bucket_seconds`` wide, centred on ``t``); the series
         *     has every bucket of the window, empty ones included.
         */
        RequestPointOut: {
            /**
             * Confidence
             * @description Mean confidence of its predictions
             */
            confidence?: number | null;
            /** Errors */
            errors: number;
            /**
             * P50
             * @description Prediction latency (predict, batch, explain), ms
             */
            p50: number | null;
            /** P95 */
            p95: number | null;
            /**
             * Predictions
             * @default 0
             */
            predictions: number;
            /** Requests */
            requests: number;
            /**
             * T
             * Format: date-time
             */
            t: string;
        };
        /** RetrainAcceptedOut */
        RetrainAcceptedOut: {
            /** Job Id */
            job_id: string;
            /** @example queued */
            status: components["schemas"]["JobStatus"];
        };
        /** RetrainIn */
        RetrainIn: {
            /**
             * Epochs
             * @example 3
             */
            epochs?: number | null;
        };
        /** ReviewCountsOut */
        ReviewCountsOut: {
            /**
             * By Class
             * @description Items waiting, per predicted class
             */
            by_class: {
                [key: string]: number;
            };
            /**
             * By Reason
             * @description Items waiting, per reason kept
             */
            by_reason: {
                [key: string]: number;
            };
            /**
             * By State
             * @description All items, per state
             */
            by_state: {
                [key: string]: number;
            };
        };
        /**
         * ReviewDecisionIn
         * @description ``{"label": "<class>"}``, ``{"label": null}`` (none of these classes) or
         *     ``{"skip": true}``.
         */
        ReviewDecisionIn: {
            /**
             * Label
             * @example cat
             */
            label?: string | null;
            /**
             * Skip
             * @default false
             */
            skip: boolean;
        };
        /** ReviewDecisionOut */
        ReviewDecisionOut: {
            item: components["schemas"]["ReviewItemOut"];
            /**
             * Repeated
             * @description The same decision was recorded already; nothing changed
             */
            repeated: boolean;
            /**
             * Retrain Job
             * @description Queued by the policy's auto_retrain_after
             */
            retrain_job?: string | null;
            /**
             * Training Image
             * @description added: a new training image; duplicate: the classifier had it
             */
            training_image?: ("added" | "duplicate") | null;
        };
        /** ReviewExplainOut */
        ReviewExplainOut: {
            /** Class */
            class: string;
            /**
             * Heatmap Png
             * @description Grad-CAM heat map, base64 PNG at the image's size
             */
            heatmap_png: string;
            /** Item Id */
            item_id: string;
        };
        /** ReviewItemOut */
        ReviewItemOut: {
            /** Confidence */
            confidence: number;
            /**
             * Created At
             * Format: date-time
             */
            created_at: string;
            /**
             * Explain Url
             * @description Its Grad-CAM heat map, computed on request
             */
            explain_url: string;
            /** Id */
            id: string;
            /**
             * Image Url
             * @description The image (reviewer or admin token; immutable, cache it: prefetch)
             */
            image_url: string;
            /** Label */
            label?: string | null;
            /** Labelled At */
            labelled_at?: string | null;
            /** Labelled By */
            labelled_by?: string | null;
            /** Model Version */
            model_version: string;
            /**
             * Predicted
             * @example cat
             */
            predicted: string;
            /** Prediction Id */
            prediction_id: string;
            /**
             * Reason
             * @enum {string}
             */
            reason: "uncertain" | "audit" | "feedback";
            /**
             * State
             * @enum {string}
             */
            state: "pending" | "labelled" | "none_of_these" | "skipped";
            /**
             * Suggested Label
             * @description What a client's feedback said
             */
            suggested_label?: string | null;
            /** Top3 */
            top3: components["schemas"]["TopKOut"][];
            /** Uncertain */
            uncertain: boolean;
        };
        /** ReviewPageOut */
        ReviewPageOut: {
            /**
             * Classes
             * @description What a label may be (number keys, in order)
             */
            classes: string[];
            counts: components["schemas"]["ReviewCountsOut"];
            /** Items */
            items: components["schemas"]["ReviewItemOut"][];
            /**
             * Strategy
             * @enum {string}
             */
            strategy: "least_confident" | "audit_first";
        };
        /** ReviewPolicy */
        ReviewPolicy: {
            /**
             * Audit Rate
             * @description Share of all answers kept as a random audit sample (0.01 = 1%); their labels give the live-accuracy estimate
             * @default 0
             */
            audit_rate: number;
            /**
             * Auto Retrain After
             * @description Queue a retrain once this many new labels are in (null: never)
             */
            auto_retrain_after?: number | null;
            /**
             * Keep Uncertain
             * @description Keep every answer the model flags uncertain
             * @default false
             */
            keep_uncertain: boolean;
            /**
             * Max Items
             * @description At most this many kept items; the oldest go
             * @default 10000
             */
            max_items: number;
            /**
             * Retention Days
             * @description Kept items older than this are deleted
             * @default 30
             */
            retention_days: number;
        };
        /**
         * ReviewPolicyPatch
         * @description A change to a policy: the fields sent replace those stored, the rest stay.
         */
        ReviewPolicyPatch: {
            /** Audit Rate */
            audit_rate?: number | null;
            /** Auto Retrain After */
            auto_retrain_after?: number | null;
            /** Keep Uncertain */
            keep_uncertain?: boolean | null;
            /** Max Items */
            max_items?: number | null;
            /** Retention Days */
            retention_days?: number | null;
        };
        /** ReviewUndoOut */
        ReviewUndoOut: {
            item: components["schemas"]["ReviewItemOut"];
            /**
             * Kept Trained On
             * @description Training images a job has used: they stay
             */
            kept_trained_on: number;
            /** Training Images Removed */
            training_images_removed: number;
        };
        /**
         * RuntimeOut
         * @description What runs the served model (serving/runtime_choice.py), and why.
         */
        RuntimeOut: {
            /**
             * Agreement
             * @description Top-1 agreement with Keras
             */
            agreement?: number | null;
            /**
             * Checked Images
             * @default 0
             */
            checked_images: number;
            /**
             * Flagged Gap
             * @description Flagged-uncertain share vs Keras
             */
            flagged_gap?: number | null;
            /**
             * Name
             * @example openvino
             */
            name: string;
            /**
             * Precision
             * @example f32
             */
            precision: string;
            /**
             * Reason
             * @description Why Keras serves instead
             */
            reason?: string | null;
            /**
             * Requested
             * @example auto
             */
            requested: string;
            /** Timings Ms */
            timings_ms?: {
                [key: string]: {
                    [key: string]: number;
                };
            };
        };
        /** SplitCountOut */
        SplitCountOut: {
            /**
             * Test
             * @description Stored images held out to evaluate a training
             */
            test: number;
            /**
             * Train
             * @description Stored images a training learns from
             */
            train: number;
        };
        /** StatusOut */
        StatusOut: {
            /**
             * Model Loaded
             * @default true
             */
            model_loaded: boolean;
            /** Model Version */
            model_version: string | null;
            /** Predictions Served */
            predictions_served: number;
            runtime?: components["schemas"]["RuntimeOut"] | null;
            /**
             * Started At
             * Format: date-time
             */
            started_at: string;
            /**
             * Status
             * @example online
             * @enum {string}
             */
            status: "online" | "degraded";
            /** Uptime Seconds */
            uptime_seconds: number;
        };
        /** SystemOut */
        SystemOut: {
            /** Cpu Percent */
            cpu_percent: number;
            /** Disk Percent */
            disk_percent: number;
            /** Memory Percent */
            memory_percent: number;
            /** Process Rss Mb */
            process_rss_mb: number;
        };
        /** TopKOut */
        TopKOut: {
            /** Class */
            class: string;
            /** P */
            p: number;
        };
        /** TrainedOnOut */
        TrainedOnOut: {
            /** Name */
            name?: string | null;
            /** Seconds */
            seconds?: number | null;
            /** Sha256 */
            sha256?: string | null;
            /** Test */
            test?: {
                [key: string]: number;
            };
            /** Train */
            train?: {
                [key: string]: number;
            };
            /** Url */
            url?: string | null;
        };
        /**
         * TrainingDataReportOut
         * @description The upload report of /training-data: the legacy report, the classifier's classes
         *     after the upload, and its images per class in each split.
         */
        TrainingDataReportOut: {
            /** Class Counts */
            class_counts: {
                [key: string]: number;
            };
            /**
             * Classes
             * @example [
             *       "cat",
             *       "dog"
             *     ]
             */
            classes: string[];
            /** Duplicates */
            duplicates: number;
            /** Rejected */
            rejected: components["schemas"]["UploadRejectionOut"][];
            /** Split Counts */
            split_counts: {
                [key: string]: components["schemas"]["SplitCountOut"];
            };
            /** Uploaded */
            uploaded: number;
        };
        /** TrainingSummaryOut */
        TrainingSummaryOut: {
            /** Command */
            command?: string | null;
            /** Config */
            config?: {
                [key: string]: components["schemas"]["JsonValue"];
            };
            machine?: components["schemas"]["Machine"] | null;
            /** Seconds */
            seconds?: number | null;
        };
        /**
         * Uncertainty
         * @description Below ``threshold`` confidence a prediction is flagged uncertain.
         */
        Uncertainty: {
            /** Accuracy Confident */
            accuracy_confident?: number | null;
            /** Accuracy Flagged */
            accuracy_flagged?: number | null;
            /** Fitted On */
            fitted_on?: number | null;
            /** Flagged Share */
            flagged_share?: number | null;
            /** Measured On */
            measured_on?: number | null;
            /** Method */
            method?: string | null;
            /** Target Precision */
            target_precision?: number | null;
            /**
             * Threshold
             * @default 0.5
             */
            threshold: number;
        };
        /** UploadRejectionOut */
        UploadRejectionOut: {
            /** Filename */
            filename: string;
            /** Reason */
            reason: string;
        };
        /** UploadReportOut */
        UploadReportOut: {
            /** Class Counts */
            class_counts: {
                [key: string]: number;
            };
            /** Duplicates */
            duplicates: number;
            /** Rejected */
            rejected: components["schemas"]["UploadRejectionOut"][];
            /** Uploaded */
            uploaded: number;
        };
        /** ValidationError */
        ValidationError: {
            /** Context */
            ctx?: Record<string, never>;
            /** Input */
            input?: unknown;
            /** Location */
            loc: (string | number)[];
            /** Message */
            msg: string;
            /** Error Type */
            type: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    list_classifiers_api_classifiers_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClassifierListOut"];
                };
            };
        };
    };
    create_classifier_api_classifiers_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ClassifierIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClassifierOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    get_classifier_api_classifiers__classifier__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClassifierOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    delete_classifier_api_classifiers__classifier__delete: {
        parameters: {
            query?: {
                /** @description Remove its history, versions and training data too (no undo) */
                purge?: boolean;
            };
            header?: never;
            path: {
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClassifierOut"];
                };
            };
            /** @description Purged */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    change_classifier_api_classifiers__classifier__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                classifier: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ClassifierPatchIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClassifierOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    dataset_statistics_api_classifiers__classifier__dataset_stats_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatasetStatsOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    explain_api_classifiers__classifier__explain_post: {
        parameters: {
            query?: never;
            header?: {
                /** @description Names this request: a retry with the same key and image gets the first answer, and the history keeps one row. */
                "Idempotency-Key"?: string | null;
                /** @description Used as the key when there is no Idempotency-Key: nginx sets it to its request id, the same for a request it replays on another replica. */
                "X-Request-ID"?: string | null;
            };
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_explain_api_classifiers__classifier__explain_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExplainOut"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    live_accuracy_api_classifiers__classifier__live_accuracy_get: {
        parameters: {
            query?: {
                /** @description The window, in days back from today */
                days?: number;
            };
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LiveAccuracyOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    metrics_api_classifiers__classifier__metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetricsOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    list_models_api_classifiers__classifier__models_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelListOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    export_version_api_classifiers__classifier__models__version__export_get: {
        parameters: {
            query?: {
                format?: "savedmodel" | "onnx" | "openvino";
            };
            header?: never;
            path: {
                version: string;
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export, zipped */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/zip": unknown;
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Implemented */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    promote_api_classifiers__classifier__models__version__promote_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                version: string;
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    monitoring_api_classifiers__classifier__monitoring_get: {
        parameters: {
            query?: {
                /** @description Seconds to look back */
                window?: number;
            };
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MonitoringOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    predict_api_classifiers__classifier__predict_post: {
        parameters: {
            query?: never;
            header?: {
                /** @description Names this request: a retry with the same key and image gets the first answer, and the history keeps one row. */
                "Idempotency-Key"?: string | null;
                /** @description Used as the key when there is no Idempotency-Key: nginx sets it to its request id, the same for a request it replays on another replica. */
                "X-Request-ID"?: string | null;
            };
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_predict_api_classifiers__classifier__predict_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PredictionOut"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    predict_batch_api_classifiers__classifier__predict_batch_post: {
        parameters: {
            query?: never;
            header?: {
                /** @description Names this request: a retry with the same key and image gets the first answer, and the history keeps one row. */
                "Idempotency-Key"?: string | null;
                /** @description Used as the key when there is no Idempotency-Key: nginx sets it to its request id, the same for a request it replays on another replica. */
                "X-Request-ID"?: string | null;
            };
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_predict_batch_api_classifiers__classifier__predict_batch_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchOut"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    predictions_api_classifiers__classifier__predictions_get: {
        parameters: {
            query?: {
                limit?: number;
                /** @description Rows to skip (first pages); deeper, use cursor. */
                offset?: number;
                /** @description A page's next_cursor: the rows after that page. */
                cursor?: string | null;
            };
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PredictionPageOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    feedback_api_classifiers__classifier__predictions__prediction_id__feedback_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                prediction_id: string;
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FeedbackIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FeedbackOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    retrain_api_classifiers__classifier__retrain_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["RetrainIn"] | null;
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RetrainAcceptedOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    retrain_status_api_classifiers__classifier__retrain_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    retrain_job_api_classifiers__classifier__retrain__job_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    cancel_job_api_classifiers__classifier__retrain__job_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    next_items_api_classifiers__classifier__review_get: {
        parameters: {
            query?: {
                /** @description How many items */
                limit?: number;
                /** @description Which first */
                strategy?: "least_confident" | "audit_first";
            };
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReviewPageOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    undo_api_classifiers__classifier__review_undo_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReviewUndoOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    decide_api_classifiers__classifier__review__item_id__post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                item_id: string;
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReviewDecisionIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReviewDecisionOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    item_explanation_api_classifiers__classifier__review__item_id__explain_get: {
        parameters: {
            query?: {
                /** @description The class to explain (default: the model's answer) */
                class?: string | null;
            };
            header?: never;
            path: {
                item_id: string;
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReviewExplainOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    item_image_api_classifiers__classifier__review__item_id__image_get: {
        parameters: {
            query?: never;
            header?: {
                "if-none-match"?: string | null;
            };
            path: {
                item_id: string;
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/*": unknown;
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    add_training_data_api_classifiers__classifier__training_data_post: {
        parameters: {
            query?: {
                /** @description The class of the images (not for zips); new or known */
                class_name?: string | null;
            };
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_add_training_data_api_classifiers__classifier__training_data_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TrainingDataReportOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    upload_training_data_api_classifiers__classifier__upload_training_data_post: {
        parameters: {
            query?: {
                /** @description The class of the images (not for zips) */
                class_name?: string | null;
            };
            header?: never;
            path: {
                /** @description The classifier's name (1 to 40 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit) */
                classifier: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_upload_training_data_api_classifiers__classifier__upload_training_data_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadReportOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    dataset_statistics_api_dataset_stats_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatasetStatsOut"];
                };
            };
        };
    };
    explain_api_explain_post: {
        parameters: {
            query?: never;
            header?: {
                /** @description Names this request: a retry with the same key and image gets the first answer, and the history keeps one row. */
                "Idempotency-Key"?: string | null;
                /** @description Used as the key when there is no Idempotency-Key: nginx sets it to its request id, the same for a request it replays on another replica. */
                "X-Request-ID"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_explain_api_explain_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExplainOut"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    live_accuracy_api_live_accuracy_get: {
        parameters: {
            query?: {
                /** @description The window, in days back from today */
                days?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LiveAccuracyOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    metrics_api_metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetricsOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    list_models_api_models_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelListOut"];
                };
            };
        };
    };
    export_version_api_models__version__export_get: {
        parameters: {
            query?: {
                format?: "savedmodel" | "onnx" | "openvino";
            };
            header?: never;
            path: {
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export, zipped */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/zip": unknown;
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Implemented */
            501: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    promote_api_models__version__promote_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    monitoring_api_monitoring_get: {
        parameters: {
            query?: {
                /** @description Seconds to look back */
                window?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MonitoringOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    predict_api_predict_post: {
        parameters: {
            query?: never;
            header?: {
                /** @description Names this request: a retry with the same key and image gets the first answer, and the history keeps one row. */
                "Idempotency-Key"?: string | null;
                /** @description Used as the key when there is no Idempotency-Key: nginx sets it to its request id, the same for a request it replays on another replica. */
                "X-Request-ID"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_predict_api_predict_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PredictionOut"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    predict_batch_api_predict_batch_post: {
        parameters: {
            query?: never;
            header?: {
                /** @description Names this request: a retry with the same key and image gets the first answer, and the history keeps one row. */
                "Idempotency-Key"?: string | null;
                /** @description Used as the key when there is no Idempotency-Key: nginx sets it to its request id, the same for a request it replays on another replica. */
                "X-Request-ID"?: string | null;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_predict_batch_api_predict_batch_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchOut"];
                };
            };
            /** @description Bad Request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unsupported Media Type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    predictions_api_predictions_get: {
        parameters: {
            query?: {
                limit?: number;
                /** @description Rows to skip (first pages); deeper, use cursor. */
                offset?: number;
                /** @description A page's next_cursor: the rows after that page. */
                cursor?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PredictionPageOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    feedback_api_predictions__prediction_id__feedback_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                prediction_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FeedbackIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FeedbackOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Too Many Requests */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    retrain_api_retrain_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["RetrainIn"] | null;
            };
        };
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RetrainAcceptedOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    retrain_status_api_retrain_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    retrain_job_api_retrain__job_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    cancel_job_api_retrain__job_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    next_items_api_review_get: {
        parameters: {
            query?: {
                /** @description How many items */
                limit?: number;
                /** @description Which first */
                strategy?: "least_confident" | "audit_first";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReviewPageOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    undo_api_review_undo_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReviewUndoOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    decide_api_review__item_id__post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                item_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReviewDecisionIn"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReviewDecisionOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    item_explanation_api_review__item_id__explain_get: {
        parameters: {
            query?: {
                /** @description The class to explain (default: the model's answer) */
                class?: string | null;
            };
            header?: never;
            path: {
                item_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReviewExplainOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Conflict */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    item_image_api_review__item_id__image_get: {
        parameters: {
            query?: never;
            header?: {
                "if-none-match"?: string | null;
            };
            path: {
                item_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/*": unknown;
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Forbidden */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Validation Error */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HTTPValidationError"];
                };
            };
        };
    };
    status_api_status_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusOut"];
                };
            };
        };
    };
    add_training_data_api_training_data_post: {
        parameters: {
            query?: {
                /** @description The class of the images (not for zips); new or known */
                class_name?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_add_training_data_api_training_data_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TrainingDataReportOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Not Found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    upload_training_data_api_upload_training_data_post: {
        parameters: {
            query?: {
                /** @description The class of the images (not for zips) */
                class_name?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_upload_training_data_api_upload_training_data_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadReportOut"];
                };
            };
            /** @description Unauthorized */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Request Entity Too Large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
            /** @description Unprocessable Entity */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorOut"];
                };
            };
        };
    };
    health_health_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthOut"];
                };
            };
            /** @description Service Unavailable */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthOut"];
                };
            };
        };
    };
    prometheus_metrics_metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
        };
    };
}

"""The shipped lessons load, reproduce the numbers they print, and bad lesson files are refused clearly."""
import json

import numpy as np
import pytest

from nnlab.data.lessons import LessonError, load_lesson, load_lessons, parse_lesson
from nnlab.engine.backprop_steps import BackpropWalk
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.optimizer_steps import explain_update
from nnlab.engine.trainer import TrainConfig, Trainer


@pytest.fixture(scope="module")
def lessons():
    return {lesson.key: lesson for lesson in load_lessons()}


def test_all_eight_lessons_ship_in_order(lessons):
    assert len(lessons) == 8
    assert [l.order for l in load_lessons()] == sorted(l.order for l in lessons.values())


def test_every_lesson_reproduces_its_checked_numbers(lessons):
    checked = 0
    for lesson in lessons.values():
        network = lesson.build_network()
        assert network.dtype == np.float64
        for check in lesson.raw.get("checks", []):
            trace = network.forward_trace(lesson.samples[check["sample"]].values)
            for kind in ("activations", "pre_activations"):
                if kind in check:
                    offset = 0 if kind == "activations" else -1
                    got = getattr(trace, kind)[check["layer"] + offset][0]
                    digits = max(len(repr(v).split(".")[-1]) for v in check[kind])
                    np.testing.assert_array_equal(np.round(got, digits), check[kind], err_msg=lesson.key)
                    checked += 1
    assert checked >= 10


def test_dog_cat_lesson_text_and_numbers_agree(lessons):
    lesson = lessons["04-dog-cat"]
    text = " ".join(lesson.explanation)
    for number in ("0.71", "0.713", "0.562", "0.192", "−0.438", "−0.311", "0.80311"):
        assert number in text
    walk = BackpropWalk(lesson.build_network(), lesson.samples[0].values, lesson.target_for(lesson.samples[0]),
                        lesson.loss)
    layer, source, target = lesson.connection
    update = explain_update(lesson.training["optimizer"], lesson.training["learning_rate"],
                            walk.network.weights[layer][target, source], walk.weight_gradient(layer, source, target))
    assert round(update.new, 5) == 0.80311


def test_digit_one_lesson_gives_the_printed_probability_and_says_where_the_text_slipped(lessons):
    lesson = lessons["05-digit-one"]
    assert lesson.build_network().sizes == [16, 4, 3, 2]
    p = lesson.build_network().forward(lesson.samples[0].values)[0, 0]
    assert round(p, 3) == 0.674
    text = " ".join(lesson.explanation) + lesson.source_note
    for slip, truth in (("0.11", "0.64"), ("0.19", "0.53"), ("0.26", "0.83")):
        assert slip in text and truth in text
    assert "Reconstructed" in lesson.source_note


def test_linear_lesson_collapses_to_one_linear_map(lessons):
    lesson = lessons["08-why-activations"]
    net = lesson.build_network()
    collapsed = lesson.raw["collapsed"]
    np.testing.assert_allclose(net.weights[1] @ net.weights[0], collapsed["weight"], atol=1e-12)
    np.testing.assert_allclose(net.weights[1] @ net.biases[0] + net.biases[1], collapsed["bias"], atol=1e-12)
    x = np.array([s.values for s in lesson.samples])
    np.testing.assert_allclose(net.forward(x)[:, 0], x @ np.array(collapsed["weight"][0]) + collapsed["bias"][0])
    bent = Network(2, [LayerSpec(3, "relu"), LayerSpec(1, "linear")], dtype=np.float64)
    bent.params[...] = net.params
    np.testing.assert_allclose(bent.forward(x)[:, 0], collapsed["relu_outputs"], atol=1e-12)


@pytest.mark.parametrize("key, accuracy", [("06-xor", 1.0), ("07-face-3x3", 0.95)])
def test_trainable_lessons_learn_with_their_settings(lessons, key, accuracy):
    lesson = lessons[key]
    ds = lesson.dataset()
    net = lesson.build_network()
    t = lesson.training
    config = TrainConfig(loss=lesson.loss, optimizer=t["optimizer"], learning_rate=t["learning_rate"],
                         batch_size=t["batch_size"], epochs=t["epochs"])
    for _ in Trainer(net, ds.x, ds.y, config, n_classes=ds.n_classes).run():
        pass
    out = net.forward(ds.x)
    predicted = (out[:, 0] > 0.5).astype(int) if out.shape[1] == 1 else out.argmax(1)
    assert (predicted == ds.y).mean() >= accuracy


def _valid():
    return json.loads(json.dumps({
        "format": "nnlab-lesson", "version": 1, "title": "t", "summary": "s", "explanation": ["e"],
        "network": {"input_size": 2, "loss": "mse", "layers": [{"units": 1, "activation": "linear"}],
                    "weights": [[[0.4, 0.7]]], "biases": [[0.0]]},
        "classes": ["out"], "input_shape": [2], "samples": [{"values": [0.5, 0.3], "label": 0}]}))


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(format="other"), "format must be"),
    (lambda d: d["network"].update(weights=[[[0.4, 0.7, 1.0]]]), r"weights\[0\] has shape \(1, 3\); it needs \(1, 2\)"),
    (lambda d: d["network"].update(loss="cross_entropy"), "network: loss 'cross_entropy' needs"),
    (lambda d: d["network"]["layers"][0].update(activation="swish"), "network: .*swish"),
    (lambda d: d.update(input_shape=[3]), "input_shape"),
    (lambda d: d["samples"][0].update(label=4), r"samples\[0\].label"),
    (lambda d: d["samples"][0].update(values=[1, "x"]), r"samples\[0\].values must hold numbers"),
    (lambda d: d["network"].update(biases=[[float("nan")]]), "not a finite number"),
    (lambda d: d.update(select={"layer": 5, "unit": 0}), "'select'"),
    (lambda d: d["network"].pop("weights") and d["network"].pop("biases"), "'initialize'"),
])
def test_bad_lessons_are_refused_with_a_clear_message(change, message):
    data = _valid()
    parse_lesson(data, "ok")
    change(data)
    with pytest.raises(LessonError, match=message):
        parse_lesson(data, "bad", "bad.json")


def test_broken_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "nnlab-lesson",\n "version": }')
    with pytest.raises(LessonError, match=r"broken.json: not valid JSON \(line 2"):
        load_lesson(path)

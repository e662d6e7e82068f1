"""The shipped lessons load, reproduce the numbers they print, and bad lesson files are refused clearly."""
import json
from pathlib import Path

import numpy as np
import pytest

from nnlab.data.lesson_printed import check_printed
from nnlab.data.lessons import LessonError, load_lesson, load_lessons, parse_lesson
from nnlab.engine.backprop_steps import BackpropWalk
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.optimizer_steps import explain_update
from nnlab.engine.trainer import TrainConfig, Trainer


SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def lessons():
    return {lesson.key: lesson for lesson in load_lessons()}


def test_all_eight_lessons_ship_in_order(lessons):
    assert len(lessons) == 8
    assert [l.order for l in load_lessons()] == sorted(l.order for l in lessons.values())


def _rounds_to(value: float, text: str) -> bool:
    """The engine's value, rounded at the decimals ``text`` is printed with, is ``text``."""
    places = len(text.split(".")[1]) if "." in text else 0
    return abs(value - float(text)) <= 0.5 * 10.0 ** -places + 1e-9


def test_every_printed_number_is_the_engines_or_a_marked_slip_with_its_true_value(lessons):
    statements = values = slips = 0
    for lesson in lessons.values():
        for checked in check_printed(lesson):
            number, engine = checked.number, checked.values
            where = f"{lesson.key}: {number.what} — the text prints {number.printed}, the engine gives {engine}"
            assert len(engine) == len(number.printed), where
            agree = [_rounds_to(v, t) for v, t in zip(engine, number.printed)]
            if number.true is None:
                assert all(agree), f"{where}: not marked as a slip"
            else:
                assert not all(agree), f"{where}: marked as a slip, but it agrees"
                assert all(_rounds_to(v, t) for v, t in zip(engine, number.true)), f"{where}: true {number.true}"
                slips += 1
            statements += 1
            values += len(engine)
    assert statements >= 80 and values >= 150 and slips >= 30  # every lesson's text, not a sample of it


def test_the_printed_quotes_are_the_seed_texts_own_lines(lessons):
    if not SEEDS.is_dir():
        pytest.skip(f"the seed texts are not at {SEEDS}")
    texts = [" ".join(p.read_text(encoding="utf-8").replace("**", "").split()) for p in SEEDS.glob("*.txt")]
    for lesson in lessons.values():
        for number in lesson.printed:
            for line in number.source.split(" / "):  # " / " joins the lines of one passage
                assert any(" ".join(line.split()) in text for text in texts), f"{lesson.key}: {line!r}"


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


TEXT_FIRST_NEURON = [0.5, 0.8, 0.1, 0.0, 0.3, 0.9, 0.2, 0.0, 0.4, 0.7, 0.1, 0.1, 0.2, 0.8, 0.0, 0.0]


def _printed(lesson, quantity, layer, unit):
    return next(n for n in lesson.printed if (n.quantity, n.layer, n.unit) == (quantity, layer, unit))


def test_digit_one_uses_the_texts_weights_and_carries_the_true_sums_to_p_0674(lessons):
    lesson = lessons["05-digit-one"]
    network = lesson.build_network()
    assert network.sizes == [16, 4, 3, 2] and lesson.classes == ["1", "0"]
    np.testing.assert_array_equal(network.weights[0][0], TEXT_FIRST_NEURON)
    np.testing.assert_array_equal(network.biases[0], [-0.5, -0.2, -0.3, -0.1])
    trace = network.forward_trace(lesson.samples[0].values)
    np.testing.assert_array_equal(np.round(trace.pre_activations[0][0], 2), [2.04, 0.64, 0.53, 0.83])
    np.testing.assert_array_equal(np.round(trace.pre_activations[1][0], 3), [1.405, 1.089, 0.884])
    assert round(trace.output[0, 0], 3) == 0.674
    for unit, slip, truth in ((1, "0.11", "0.64"), (2, "0.19", "0.53"), (3, "0.26", "0.83")):
        z = _printed(lesson, "pre_activation", 1, unit)
        assert (z.printed, z.true) == ((slip,), (truth,))
    p = _printed(lesson, "activation", 3, 0)
    assert (p.printed, p.true) == (("0.657",), ("0.674",))
    text = " ".join(lesson.explanation)
    assert "The text prints 0.11, 0.19 and 0.26; the true sums are z₂ = 0.64, z₃ = 0.53 and z₄ = 0.83" in text
    assert "P(\"1\") = 4.206 / 6.238 = 0.674 — the text prints 0.657" in text
    assert "Reconstructed" not in lesson.source_note and "seed text 001" in lesson.source_note


def test_the_other_worked_lessons_use_their_texts_weights(lessons):
    bright = lessons["01-bright-dark"].build_network()
    np.testing.assert_array_equal(bright.weights[0], [[0.4, 0.6, -0.3], [-0.5, 0.3, 0.8]])
    np.testing.assert_array_equal(bright.biases[1], [-3])
    three_two_one = lessons["02-three-two-one"].build_network()
    np.testing.assert_array_equal(three_two_one.weights[0], [[2, -1, 0.5], [0.5, 2, -1]])
    neuron = lessons["03-single-neuron"]
    np.testing.assert_array_equal(neuron.build_network().weights[0], [[0.5, 0.7, 0.2]])
    assert neuron.layers[0].activation == "relu" and list(neuron.samples[0].values) == [0.8, 0.3, 0.5]


def test_a_lesson_whose_text_gives_no_weights_says_so(lessons):
    for key in ("06-xor", "07-face-3x3", "08-why-activations"):
        assert "NN Lab's" in lessons[key].source_note and not lessons[key].printed


def test_linear_lesson_collapses_to_one_linear_map(lessons):
    lesson = lessons["08-why-activations"]
    net = lesson.build_network()
    collapsed = lesson.raw["collapsed"]
    np.testing.assert_allclose(net.weights[1] @ net.weights[0], collapsed["weight"], atol=1e-12)
    np.testing.assert_allclose(net.weights[1] @ net.biases[0] + net.biases[1], collapsed["bias"], atol=1e-12)
    x = np.array([s.values for s in lesson.samples])
    np.testing.assert_allclose(net.forward(x)[:, 0], x @ np.array(collapsed["weight"][0]) + collapsed["bias"][0])
    np.testing.assert_allclose(net.forward(x)[:, 0], [s.target[0] for s in lesson.samples], atol=1e-12)
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


def _with_printed(**entry):
    data = _valid()
    data["printed"] = [{"what": "z", "from": "z = 0.41", "quantity": "pre_activation", "layer": 1, "unit": 0,
                        "printed": "0.41", **entry}]
    return data


def test_printed_numbers_are_read_and_held_against_the_engine():
    agreeing = check_printed(parse_lesson(_with_printed(), "ok"))[0]
    assert agreeing.values.tolist() == pytest.approx([0.41], abs=1e-15)
    assert not agreeing.slipped and agreeing.marked_right
    slip = check_printed(parse_lesson(_with_printed(printed="0.5", true="0.41"), "ok"))[0]
    assert slip.slipped and slip.marked_right and slip.true_texts() == ["0.41"]
    unmarked = check_printed(parse_lesson(_with_printed(printed="0.5"), "ok"))[0]
    assert unmarked.slipped and not unmarked.marked_right
    stale = check_printed(parse_lesson(_with_printed(true="0.41"), "ok"))[0]  # marked a slip, but it agrees
    assert not stale.slipped and not stale.marked_right
    wrong_truth = check_printed(parse_lesson(_with_printed(printed="0.5", true="0.42"), "ok"))[0]
    assert not wrong_truth.marked_right
    products = check_printed(parse_lesson(_with_printed(quantity="products", printed=["0.2", "0.21"]), "ok"))[0]
    assert products.number.is_list and products.agreeing == (True, True)


@pytest.mark.parametrize("entry, message", [
    ({"quantity": "sum"}, r"printed\[0\].quantity must be one of products, weighted_sum"),
    ({"quantity": ["products"]}, r"printed\[0\].quantity must be one of products, weighted_sum"),
    ({"layer": 2}, r"printed\[0\].layer must be a layer of the network from 1 to 1, not 2"),
    ({"unit": 3}, r"printed\[0\].unit must be a neuron of layer 1 from 0 to 0, not 3"),
    ({"quantity": "products", "unit": None}, r"printed\[0\].unit \(a neuron of layer 1\) is needed for 'products'"),
    ({"printed": 0.41}, r"printed\[0\].printed must be a decimal number written as text"),
    ({"printed": "0,41"}, r"printed\[0\].printed must be a decimal number written as text"),
    ({"quantity": "products", "printed": ["0.2", "0.21", "0.1"]}, r"printed\[0\].printed must hold 2 numbers"),
    ({"true": ["0.41"]}, r"printed\[0\].true must have the form of printed\[0\].printed"),
    ({"ture": "0.41"}, r"printed\[0\] has unknown field\(s\) 'ture'"),
    ({"what": ""}, r"printed\[0\].what must be some text"),
    ({"sample": 1}, r"printed\[0\].sample must be a sample index from 0 to 0, not 1"),
    ({"quantity": "exp"}, r"printed\[0\]: 'exp' needs a softmax layer; layer 1 is linear"),
    ({"quantity": "updated_weight", "source": 0}, r"printed\[0\].learning_rate must be a number above 0"),
    ({"quantity": "delta", "loss": "cross_entropy"}, r"printed\[0\].loss: loss 'cross_entropy' needs"),
    ({"quantity": "loss", "layer": None, "unit": None, "loss": "hinge"}, r"printed\[0\].loss must be one of"),
    ({"quantity": "loss", "layer": None, "unit": None, "loss": {}}, r"printed\[0\].loss must be one of"),
    ({"quantity": "loss", "unit": None}, r"printed\[0\].layer is not used by 'loss'"),
    ("not an object", r"printed\[0\] must be an object"),
    ({"quantity": "weight_gradient"}, r"printed\[0\].source must be a neuron of layer 0 from 0 to 1, not None"),
])
def test_a_bad_printed_number_names_the_file_and_the_field(entry, message):
    if isinstance(entry, dict):
        data = _with_printed(**entry)
        for key in [key for key, value in entry.items() if value is None]:  # None: leave the field out
            data["printed"][0].pop(key)
    else:
        data = dict(_valid(), printed=[entry])
    with pytest.raises(LessonError, match="lesson bad.json: " + message):
        parse_lesson(data, "bad", "bad.json")


def test_printed_must_be_a_list():
    with pytest.raises(LessonError, match="lesson bad.json: 'printed' must be a list"):
        parse_lesson(dict(_valid(), printed={"what": "z"}), "bad", "bad.json")


def test_broken_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "nnlab-lesson",\n "version": }')
    with pytest.raises(LessonError, match=r"broken.json: not valid JSON \(line 2"):
        load_lesson(path)

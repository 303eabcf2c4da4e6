"""The Nicla Vision's OpenMV modules: sensor, image, ml, pyb, machine.LED."""

from __future__ import annotations


def test_sensor_frame_sizes_formats_and_windowing(run):
    code = """
import sensor
sensor.reset()
print(sensor.width(), sensor.height(), sensor.get_pixformat() == sensor.RGB565)
sensor.set_framesize(sensor.B128X128)
sensor.set_pixformat(sensor.GRAYSCALE)
img = sensor.snapshot()
print(img, img.get_pixel(3, 4), img.get_pixel(200, 0))
sensor.set_framesize(sensor.QVGA)
sensor.set_windowing((240, 240))
print(sensor.snapshot().width())
sensor.set_pixformat(sensor.JPEG)
print(sensor.snapshot())
try:
    sensor.set_framesize(99)
except ValueError as e:
    print(e)
"""
    done = run("nicla-vision", code)
    assert done.stdout == (
        '320 240 True\n{"w":128, "h":128, "type"="grayscale", "size":16384} 15 None\n240\n'
        '{"w":240, "h":240, "type"="jpeg", "size":5184}\ninvalid framesize\n'
    ), done.stderr


def test_images_compute_pixels_keep_written_ones_and_accept_drawing(run):
    code = """
import image, sensor
img = sensor.snapshot()
print(img.get_pixel(0, 0), img.get_pixel(319, 239))
img.set_pixel(5, 5, (255, 0, 0))
same = img.draw_rectangle(10, 10, 50, 40, color=(0, 255, 0)).draw_string(0, 0, "hi")
print(same is img, img.get_pixel(5, 5), len(img.drawn))
jpeg = img.compressed(quality=50)
print(jpeg.format() == image.JPEG, jpeg.size(), img.size(), img.copy().get_pixel(5, 5))
print(image.Image(64, 32, image.GRAYSCALE))
try:
    image.Image("photo.jpg")
except OSError as e:
    print(e)
"""
    done = run("nicla-vision", code)
    assert done.stdout == (
        "(0, 0, 8) (248, 252, 8)\nTrue (255, 0, 0) 2\nTrue 3840 153600 (255, 0, 0)\n"
        '{"w":64, "h":32, "type"="grayscale", "size":2048}\n'
        "[sim] no file system with images here: cannot load 'photo.jpg'\n"
    ), done.stderr


def test_model_scores_are_fixed_and_rotate_with_the_frame(run):
    code = """
import ml, sensor
model = ml.Model("trained.tflite", load_to_fb=True)
print(model.labels, model.output_shape)
for i in range(4):
    img = sensor.snapshot()
    scores = model.predict([img])[0].flatten().tolist()
    print(model.labels[scores.index(max(scores))], scores)
out = model.predict(img)
print(out[0].shape, out[0], out[0][0])
print(model.predict([img], callback=lambda m, inputs, outputs: len(outputs)))
"""
    done = run("nicla-vision", code)
    assert done.stdout == (
        "['background', 'person', 'object'] [(1, 3)]\n"
        "person [0.125, 0.75, 0.125]\n"
        "object [0.125, 0.125, 0.75]\n"
        "background [0.75, 0.125, 0.125]\n"
        "person [0.125, 0.75, 0.125]\n"
        "(1, 3) array([[0.125, 0.75, 0.125]], dtype=float32) [0.125, 0.75, 0.125]\n"
        "1\n"
    ), done.stderr


def test_labels_can_be_set_by_the_runner(run):
    code = "import _sim, ml\n_sim.labels = ['cat', 'dog']\nm = ml.Model('x')\nprint(m.labels, m.predict(None)[0].tolist())\n"
    assert run("nicla-vision", code).stdout == "['cat', 'dog'] [[0.75, 0.25]]\n"


def test_pyb_leds_and_timing(run):
    code = """
import pyb
led = pyb.LED(2)
led.on(); a = led.intensity()
led.toggle(); b = led.intensity()
start = pyb.millis()
pyb.delay(120)
print(a, b, pyb.elapsed_millis(start), pyb.freq()[0])
try:
    pyb.LED(4)
except ValueError as e:
    print(e)
"""
    done = run("nicla-vision", code)
    assert done.stdout == "255 0 120 480000000\nLED(4) doesn't exist\n", done.stderr


def test_machine_led_by_name(run):
    code = """
from machine import LED
led = LED("LED_BLUE")
led.on()
print(led.value())
try:
    LED("LED_PINK")
except ValueError as e:
    print(e)
"""
    done = run("nicla-vision", code)
    assert (
        done.stdout == "1\nunknown LED 'LED_PINK' (this board has LED_RED, LED_GREEN, LED_BLUE)\n"
    )

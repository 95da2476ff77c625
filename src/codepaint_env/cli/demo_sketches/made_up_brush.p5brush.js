// Calls brush.bleed(), a method p5.brush does not have (the classic hallucination). The renderer
// records it in unknown_api and the rest of the sketch still paints.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#fbf7ef');
  brush.bleed(0.4);
  brush.noStroke();
  brush.fill('#3f7cac', 90);
  brush.fillBleed(0.3);
  brush.rect(-150, -120, 300, 240);
  brush.set('2B', '#1d2d44', 1);
  brush.line(-200, 160, 200, 160);
}

// A robin on a branch where the parts come apart: head, body, wing and beak float in separate places in dull brown and grey.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#e6e1d6');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // body
  brush.fill('#7a6a58', 220);
  brush.fillBleed(0.5);
  brush.fillTexture(0.8, 0.8);
  brush.circle(-120, 60, 90);
  // red breast, placed off the body
  brush.fill('#8a4a3a', 220);
  brush.circle(40, 140, 50);
  // head drawn far from the body
  brush.fill('#6a6660', 220);
  brush.circle(130, -150, 45);
  // wing
  brush.fill('#5a5048', 200);
  brush.polygon([[-20, -80], [90, -40], [10, 10]]);
  // beak on the wrong side
  brush.wash('#3a3530', 220);
  brush.polygon([[60, -150], [85, -160], [85, -140]]);
  brush.noWash();
  // branch through the middle
  brush.set('charcoal', '#3a3028', 4);
  brush.line(-256, -20, 256, 40);
  brush.set('pen', '#222222', 1);
  brush.line(-130, 150, -140, 200);
  brush.line(-100, 150, -95, 200);
  brush.circle(150, -160, 6);
}
